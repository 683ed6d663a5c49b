"""The showcase: photos on the landing page, each one shown only while its owner says so.

Two records, because two people decide. The owner grants (and may revoke) consent to
public display of one photo: a DisplayConsent row with the time and the wording version.
The operator curates which consented photos actually appear: a ShowcaseEntry, made in the
admin. Revoking deletes the photo's entries in the same transaction, and the landing page
also re-checks consent on every request, so a revoked photo is gone at once.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from sselfie.studio.models import GeneratedImage

# Bumped whenever the wording on the photo page changes, so each consent names what was said.
CONSENT_VERSION = "2026-11-30"
CONSENT_WORDING = ("Show this photo on SSELFIE Studio's homepage as an example of what the "
                   "studio makes. No name or email is shown with it. You can take it back at "
                   "any time, and it disappears at once.")


class DisplayConsentQuerySet(models.QuerySet["DisplayConsent"]):
    def live(self) -> "DisplayConsentQuerySet":
        return self.filter(revoked_at__isnull=True)


class DisplayConsent(models.Model):
    """An owner's permission to show one of their photos publicly; kept after revocation
    as the record of what was agreed and when."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    image = models.ForeignKey(GeneratedImage, on_delete=models.CASCADE,
                              related_name="display_consents")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="display_consents")
    version = models.CharField(max_length=20, default=CONSENT_VERSION)
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = DisplayConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at"]
        constraints = [models.UniqueConstraint(
            fields=["image"], condition=Q(revoked_at__isnull=True),
            name="one_live_display_consent_per_image")]

    def __str__(self) -> str:
        return f"Display consent for {self.image_id}"


class ShowcaseQuerySet(models.QuerySet["ShowcaseEntry"]):
    def live(self) -> "ShowcaseQuerySet":
        """Entries that may be shown right now: consent not revoked, photo still in its
        owner's gallery, account still open. Checked on every request, nothing cached."""
        consented = DisplayConsent.objects.live().filter(image=OuterRef("image"))
        return self.filter(Exists(consented), image__saved=True,
                           image__owner__is_active=True)


class ShowcaseEntry(models.Model):
    """A consented photo the operator chose for the landing page."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    image = models.OneToOneField(GeneratedImage, on_delete=models.CASCADE,
                                 related_name="showcase_entry")
    position = models.PositiveSmallIntegerField(
        default=100, help_text="Lower numbers come first; the first three lead the page.")
    added_at = models.DateTimeField(auto_now_add=True)

    objects = ShowcaseQuerySet.as_manager()

    class Meta:
        ordering = ["position", "-added_at"]
        verbose_name_plural = "showcase entries"

    def __str__(self) -> str:
        return f"Showcase: {self.image.category} / {self.image.subcategory}"
