from django.apps import AppConfig


class GalleryConfig(AppConfig):
    name = "sselfie.gallery"
    label = "gallery"
