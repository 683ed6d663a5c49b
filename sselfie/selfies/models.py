import secrets
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models

if TYPE_CHECKING:
    from sselfie.accounts.models import User


def random_key(prefix: str, suffix: str) -> str:
    """Storage names carry no user data and cannot be guessed."""
    return f"{prefix}/{secrets.token_urlsafe(18)}{suffix}"


class SelfieQuerySet(models.QuerySet["Selfie"]):
    def owned_by(self, user: "User") -> "SelfieQuerySet":
        return self.filter(owner=user)


class Selfie(models.Model):
    """An accepted upload: re-encoded pixels only (no metadata, no original), plus what
    the checks measured so the whole set can be judged without decoding again."""

    class Pose(models.TextChoices):
        LEFT = "left", "Turned left"
        FRONTAL = "frontal", "Facing the camera"
        RIGHT = "right", "Turned right"

    class Framing(models.TextChoices):
        CLOSE_UP = "close-up", "Close-up"
        HALF = "half", "Half body"
        FULL = "full", "Full body"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="selfies")
    image = models.CharField(max_length=200)
    thumbnail = models.CharField(max_length=200)
    original_name = models.CharField(max_length=120, blank=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    face_box = models.JSONField(help_text="[left, top, right, bottom] as shares of the size, 0-1")
    embedding = models.JSONField(help_text="128 floats from the face embedder")
    phash = models.CharField(max_length=32)
    sharpness = models.FloatField()
    brightness = models.FloatField()
    pose = models.CharField(max_length=10, choices=Pose.choices)
    framing = models.CharField(max_length=10, choices=Framing.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SelfieQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["owner", "created_at"])]

    def __str__(self) -> str:
        return f"Selfie {self.id} of {self.owner_id}"

    def delete_files(self) -> None:
        for name in (self.image, self.thumbnail):
            if name:
                default_storage.delete(name)


class TrainingSet(models.Model):
    """The deterministic zip the trainer receives, rebuilt whenever the accepted set changes."""

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="training_set")
    archive = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    photo_ids = models.JSONField(default=list)
    built_at = models.DateTimeField(null=True, blank=True)
    # See selfies/training_set.py: `version` counts changes to the photos, `built_version`
    # is the version the archive was built from, `leased` the files trainings still use
    # (one entry per training).
    version = models.PositiveIntegerField(default=1)
    built_version = models.PositiveIntegerField(default=0)
    leased = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"Training set of {self.owner_id} ({len(self.photo_ids)} photos)"
