from django.apps import AppConfig


class StudioConfig(AppConfig):
    name = "sselfie.studio"
    label = "studio"
