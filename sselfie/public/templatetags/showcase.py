"""Lets the gallery's photo page show the showcase switch without the gallery importing us."""

from django import template

from sselfie.public import showcase
from sselfie.public.models import CONSENT_WORDING
from sselfie.studio.models import GeneratedImage

register = template.Library()


@register.simple_tag(takes_context=True)
def is_public(context: template.Context, image: GeneratedImage) -> bool:
    context["wording"] = CONSENT_WORDING
    return showcase.is_public(image)
