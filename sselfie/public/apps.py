from django.apps import AppConfig


class PublicConfig(AppConfig):
    """The studio's public face: the landing page and its showcase, terms, error pages."""

    name = "sselfie.public"
    label = "public"
