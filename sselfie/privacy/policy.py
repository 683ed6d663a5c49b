"""The privacy promises the studio makes, as data: the privacy page renders from here, so
what we say is what the code does. The consent version is in accounts/consent.py."""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Retention:
    what: str
    kept: str


def retention_rules() -> list[Retention]:
    selfie_days = settings.SELFIE_RETENTION_DAYS
    return [
        Retention("Your selfies", f"{selfie_days} days after upload, or until you delete them"
                  if selfie_days else "until you delete them or your account"),
        Retention("The training zip at Replicate",
                  "deleted as soon as the training ends (success, failure or cancel)"),
        Retention("Our copy of the training zip", "deleted when the training ends"),
        Retention("Your personal model at Replicate",
                  "until you delete it or your account; then deleted at Replicate too"),
        Retention("Photos you create but don't save",
                  f"{settings.GALLERY_UNSAVED_DAYS} days, then deleted"),
        Retention("Photos you save", "until you delete them or your account"),
        Retention("Data exports you request",
                  f"{settings.EXPORT_LINK_DAYS} days, then the file is deleted"),
    ]
