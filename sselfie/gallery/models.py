import secrets
import uuid
from datetime import datetime, timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone

from sselfie.studio.models import GeneratedImage

MAX_TOKEN_CHARS = 64


def new_token() -> str:
    """256 random bits, URL-safe: a share link can't be guessed or enumerated."""
    return secrets.token_urlsafe(32)


class ShareLinkQuerySet(models.QuerySet["ShareLink"]):
    def live(self, now: datetime | None = None) -> "ShareLinkQuerySet":
        """Links that open right now. Revoking, expiry, removing the photo from the gallery
        or a closed account each stop a link at once: nothing is cached anywhere."""
        now = now or timezone.now()
        return self.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now),
            revoked_at__isnull=True, image__saved=True, image__owner__is_active=True,
        )


class ShareLink(models.Model):
    """A revocable public link to one saved photo. Deleting the photo or the account
    deletes its links (CASCADE)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    image = models.ForeignKey(GeneratedImage, on_delete=models.CASCADE,
                              related_name="share_links")
    token = models.CharField(max_length=MAX_TOKEN_CHARS, unique=True, default=new_token,
                             editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Share link for {self.image_id}"

    @classmethod
    def create_for(cls, image: GeneratedImage, days: int | None) -> "ShareLink":
        expires = timezone.now() + timedelta(days=days) if days else None
        return cls.objects.create(image=image, expires_at=expires)

    def revoke(self) -> None:
        ShareLink.objects.filter(pk=self.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now())
