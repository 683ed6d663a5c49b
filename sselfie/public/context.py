"""Values every page's layout needs: the contact address and the brand's social image."""

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, str]:
    return {"contact_email": settings.CONTACT_EMAIL}
