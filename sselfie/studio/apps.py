from django.apps import AppConfig


class StudioConfig(AppConfig):
    name = "sselfie.studio"
    label = "studio"

    def ready(self) -> None:
        from sselfie.studio import jobs, preview_jobs

        jobs.register()
        preview_jobs.register()
