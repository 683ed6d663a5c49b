import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from sselfie.jobs.reconcile import one_pass


class Command(BaseCommand):
    help = (
        "The safety net under webhooks and polling: requeue tasks whose worker died, move on "
        "every in-flight provider job nobody has heard of for RECONCILE_QUIET_SECONDS, and run "
        "the housekeeping chores (retention, pending deletions at Replicate). Once, or forever "
        "with --loop."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Repeat until stopped.")
        parser.add_argument("--interval", type=float, default=None,
                            help="Seconds between passes (default RECONCILE_INTERVAL_SECONDS).")

    def handle(self, *args: object, loop: bool, interval: float | None, **options: object) -> None:
        interval = interval or settings.RECONCILE_INTERVAL_SECONDS
        while True:
            looked, done = one_pass()
            if int(str(options["verbosity"])) > 1:
                self.stdout.write(f"Reconciled {looked} job(s); housekeeping: {done}")
            if not loop:
                return
            time.sleep(interval)
