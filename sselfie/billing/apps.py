from django.apps import AppConfig

SWEEP_EVERY = 10.0  # seconds: a lapsed plan ends, a pending cancellation is sent, promptly


class BillingConfig(AppConfig):
    name = "sselfie.billing"
    label = "billing"

    def ready(self) -> None:
        from sselfie.billing import sweep
        from sselfie.jobs import housekeeping

        housekeeping.register("billing_plans_ended", sweep.end_lapsed_plans,
                              every_seconds=SWEEP_EVERY)
        housekeeping.register("stripe_cancellations", sweep.send_cancellations,
                              every_seconds=SWEEP_EVERY)
