from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "sselfie.training"
    label = "training"
