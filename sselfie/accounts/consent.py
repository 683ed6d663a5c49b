"""Consent to the processing of face photos, asked before the first upload.

It lives below the selfies app that needs it; the privacy app renders the text and lists
what a person agreed to.
"""

from sselfie.accounts.models import Consent, User

# Bump when the consent text changes in substance: everyone is asked again.
CONSENT_VERSION = "2026-11-25"


def has_consented(user: User) -> bool:
    return Consent.objects.filter(user=user, version=CONSENT_VERSION).exists()


def record_consent(user: User) -> None:
    Consent.objects.get_or_create(user=user, version=CONSENT_VERSION)
