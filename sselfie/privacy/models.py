import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class ProviderDeletion(models.Model):
    """Something to delete at Replicate, kept until Replicate confirms: deletions that fail
    are retried by the reconcile loop, and operators see them in the admin. It outlives the
    account it came from on purpose."""

    class Kind(models.TextChoices):
        VERSION = "version", "Model version"
        MODEL = "model", "Model"
        FILE = "file", "Uploaded file"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    owner = models.CharField(max_length=100, blank=True)
    name = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(help_text="versions, then the model, then files")
    group = models.UUIDField(default=uuid.uuid4, help_text="one deletion request")
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "order"]

    def __str__(self) -> str:
        return f"Delete {self.kind} {self.owner}/{self.name} {self.object_id}".strip()


class DataExport(models.Model):
    class State(models.TextChoices):
        BUILDING = "building", "Building"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="exports")
    state = models.CharField(max_length=10, choices=State.choices, default=State.BUILDING)
    archive = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Export {self.id} ({self.state})"

    @property
    def expired(self) -> bool:
        return timezone.now() >= self.expires_at
