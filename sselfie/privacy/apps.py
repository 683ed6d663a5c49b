from django.apps import AppConfig

RETENTION_EVERY = 3600.0  # the retention schedule is in days; once an hour is plenty
DELETIONS_EVERY = 10.0  # a pending deletion at Replicate is retried about this often


class PrivacyConfig(AppConfig):
    name = "sselfie.privacy"
    label = "privacy"

    def ready(self) -> None:
        from sselfie.jobs import housekeeping
        from sselfie.privacy.erasure import send_provider_deletions
        from sselfie.privacy.retention import run_schedule

        housekeeping.register("retention", lambda: sum(run_schedule().values()),
                              every_seconds=RETENTION_EVERY)
        housekeeping.register("provider_deletions", send_provider_deletions,
                              every_seconds=DELETIONS_EVERY)
