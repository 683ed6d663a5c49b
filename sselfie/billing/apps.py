from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "sselfie.billing"
    label = "billing"
