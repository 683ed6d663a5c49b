from django import template
from django.conf import settings

from sselfie.studio.preview import DEFAULT_CHOICE
from sselfie.studio.prompts import load_catalog

register = template.Library()


@register.simple_tag
def preview_choices() -> list[tuple[str, list[tuple[str, str, bool]]]] | None:
    """The Train form's "first preview" choices, grouped by category; None when previews are
    switched off. Values are "category/subcategory"."""
    if not settings.PREVIEW_ENABLED:
        return None
    default = "/".join(DEFAULT_CHOICE)
    return [
        (c.label, [(f"{c.key}/{s.key}", f"{c.label} · {s.label}", f"{c.key}/{s.key}" == default)
                   for s in c.subcategories])
        for c in load_catalog().categories
    ]
