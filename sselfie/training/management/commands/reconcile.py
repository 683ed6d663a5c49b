import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from sselfie.billing import sweep as billing_sweep
from sselfie.privacy.erasure import send_provider_deletions
from sselfie.privacy.retention import run_schedule
from sselfie.studio.reconcile import reconcile_generations
from sselfie.tasks_recovery import requeue_stale_tasks
from sselfie.training.reconcile import reconcile_trainings

SCHEDULE_EVERY = 3600.0  # the retention schedule is in days; once an hour is plenty


class Command(BaseCommand):
    help = (
        "Poll Replicate for every in-flight job that has been quiet, resume half-done "
        "submissions, send pending deletions to Replicate and run the retention schedule. "
        "Once, or forever with --loop."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Repeat until stopped.")
        parser.add_argument("--interval", type=float, default=None,
                            help="Seconds between passes (default RECONCILE_INTERVAL_SECONDS).")

    def handle(self, *args: object, loop: bool, interval: float | None, **options: object) -> None:
        interval = interval or settings.RECONCILE_INTERVAL_SECONDS
        last_schedule = 0.0
        while True:
            requeue_stale_tasks(timedelta(seconds=settings.TASK_STALE_SECONDS))
            looked = reconcile_trainings() + reconcile_generations()
            if time.monotonic() - last_schedule >= SCHEDULE_EVERY:
                done = run_schedule()
                last_schedule = time.monotonic()
            else:
                done = {"provider_deletions": send_provider_deletions()}
            done |= billing_sweep.run()  # plans whose paid period ended; Stripe cancellations
            if options["verbosity"] > 1:
                self.stdout.write(f"Reconciled {looked} job(s); housekeeping: {done}")
            if not loop:
                return
            time.sleep(interval)
