from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "sselfie.jobs"
    label = "jobs"

    def ready(self) -> None:
        from sselfie.jobs import (
            checks,  # noqa: F401  (registers the system check)
            housekeeping,
        )
        from sselfie.jobs.inbound import prune_deliveries
        from sselfie.jobs.recovery import prune_finished_tasks

        housekeeping.register("finished_tasks", prune_finished_tasks, every_seconds=3600)
        housekeeping.register("inbound_deliveries", prune_deliveries, every_seconds=3600)
