from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "sselfie.training"
    label = "training"

    def ready(self) -> None:
        from sselfie.training import jobs

        jobs.register()
