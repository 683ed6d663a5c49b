from django.apps import AppConfig


class SelfiesConfig(AppConfig):
    name = "sselfie.selfies"
    label = "selfies"
