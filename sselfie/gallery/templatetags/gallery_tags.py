"""The studio page's gallery preview, without the studio's code knowing the gallery."""

from django import template

from sselfie.accounts.models import User
from sselfie.gallery.browse import ORDER, TILE_FIELDS, title_for
from sselfie.studio.models import GeneratedImage

register = template.Library()


@register.simple_tag
def latest_saved(user: User, count: int = 6) -> list[GeneratedImage]:
    """The newest saved photos of `user` (one query)."""
    images = list(GeneratedImage.objects.owned_by(user).filter(saved=True)
                  .order_by(*ORDER).only(*TILE_FIELDS)[:count])
    for image in images:
        image.title = title_for(image)
    return images
