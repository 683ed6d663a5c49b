from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "sselfie.privacy"
    label = "privacy"
