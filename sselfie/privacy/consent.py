from sselfie.accounts.models import User
from sselfie.privacy.models import Consent
from sselfie.privacy.policy import CONSENT_VERSION


def has_consented(user: User) -> bool:
    return Consent.objects.filter(user=user, version=CONSENT_VERSION).exists()


def record_consent(user: User) -> None:
    Consent.objects.get_or_create(user=user, version=CONSENT_VERSION)
