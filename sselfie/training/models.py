import uuid
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from sselfie.jobs.retries import busy_note

if TYPE_CHECKING:
    from sselfie.accounts.models import User


class State(models.TextChoices):
    QUEUED = "queued", "Queued"
    UPLOADING = "uploading", "Uploading your photos"
    STARTING = "starting", "Starting"
    TRAINING = "training", "Training"
    SUCCEEDED = "succeeded", "Ready"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Canceled"


ACTIVE = (State.QUEUED, State.UPLOADING, State.STARTING, State.TRAINING)
TERMINAL = (State.SUCCEEDED, State.FAILED, State.CANCELED)
# Forward-only: a state may only move to a later rank (a late "processing" never
# overwrites "succeeded"); same-rank updates refresh progress only.
RANK = {State.QUEUED: 0, State.UPLOADING: 1, State.STARTING: 2, State.TRAINING: 3,
        State.SUCCEEDED: 4, State.FAILED: 4, State.CANCELED: 4}


def provider_cost(predict_time: float | None, price_per_second: float) -> Decimal | None:
    """Replicate's charge for a run: billed seconds x the hardware's price per second."""
    if predict_time is None or predict_time < 0:
        return None
    cost = Decimal(str(predict_time)) * Decimal(str(price_per_second))
    return cost.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def trigger_word_for(public_id: str) -> str:
    """The seed's shape, user_<short id>_trigger, built from the public id, never a pk."""
    return f"user_{public_id}_trigger"


class PersonalModel(models.Model):
    """The seed's `user_models` row: one private Replicate model per person, whose newest
    successful version is what generation uses. Retraining replaces `version` only on
    success, so the old version keeps working meanwhile."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="personal_model")
    replicate_owner = models.CharField(max_length=100, blank=True)
    replicate_name = models.CharField(max_length=100, unique=True)
    version = models.CharField(max_length=200, blank=True,
                               help_text="owner/name:version of the newest successful training")
    trigger_word = models.CharField(max_length=40, unique=True)
    training_status = models.CharField(max_length=12, choices=State.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(trigger_word=""), name="trigger_word_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.replicate_owner}/{self.replicate_name}"

    @property
    def destination(self) -> str:
        return f"{self.replicate_owner}/{self.replicate_name}"

    @property
    def is_ready(self) -> bool:
        return bool(self.version)

    @property
    def version_id(self) -> str:
        return self.version.rpartition(":")[2]


class TrainingQuerySet(models.QuerySet["Training"]):
    def owned_by(self, user: "User") -> "TrainingQuerySet":
        return self.filter(owner=user)

    def active(self) -> "TrainingQuerySet":
        return self.filter(state__in=ACTIVE)

    def counting_against_quota(self, since: timedelta = timedelta(hours=24)) -> "TrainingQuerySet":
        """Trainings that hold a slot: failed and canceled ones gave theirs back."""
        return self.filter(created_at__gte=timezone.now() - since).exclude(
            state__in=(State.FAILED, State.CANCELED)
        )


class Training(models.Model):
    """One attempt to train a personal model; its state lives on the row."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="trainings")
    personal_model = models.ForeignKey(PersonalModel, on_delete=models.CASCADE,
                                       related_name="trainings")
    state = models.CharField(max_length=12, choices=State.choices, default=State.QUEUED)
    archive = models.CharField(max_length=200, blank=True, help_text="our copy of the zip")
    zip_sha256 = models.CharField(max_length=64)
    photo_count = models.PositiveSmallIntegerField()
    trainer_version = models.CharField(max_length=200)
    steps = models.PositiveIntegerField()
    provider_file_id = models.CharField(max_length=100, blank=True)
    provider_file_url = models.URLField(max_length=500, blank=True)
    provider_file_deleted = models.BooleanField(default=False)
    provider_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    version = models.CharField(max_length=200, blank=True)
    progress = models.FloatField(default=0)
    eta_seconds = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    billed_seconds = models.FloatField(null=True, blank=True)
    provider_cost = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True,
                                        help_text="what Replicate charged, in USD")
    cancel_requested = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True,
                                        help_text="when we first called the provider")
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(default=timezone.now,
                                     help_text="last time we heard about this training")
    next_poll_at = models.DateTimeField(null=True, blank=True,
                                        help_text="when the scheduled poll is due")
    retries = models.PositiveSmallIntegerField(
        default=0, help_text="times the provider turned the create away")
    busy_since = models.DateTimeField(null=True, blank=True,
                                      help_text="first time the provider turned it away")

    objects = TrainingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Two "Train" clicks racing can never leave two trainings in flight.
            models.UniqueConstraint(fields=["owner"], condition=Q(state__in=ACTIVE),
                                    name="one_active_training_per_owner"),
            models.CheckConstraint(condition=Q(progress__gte=0) & Q(progress__lte=100),
                                   name="training_progress_0_100"),
        ]
        indexes = [models.Index(fields=["state", "synced_at"])]

    def __str__(self) -> str:
        return f"Training {self.id} ({self.state})"

    @property
    def busy_note(self) -> str:
        """Set while Replicate keeps turning the create away and we keep retrying."""
        return busy_note(self.retries, self.busy_since) if self.state == "queued" else ""

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE

    def record_cost(self, predict_time: float | None) -> None:
        """Store Replicate's charge once, at completion; the price is the one in force then."""
        cost = provider_cost(predict_time, settings.REPLICATE_TRAINING_PRICE_PER_SECOND)
        if cost is not None:
            Training.objects.filter(pk=self.pk, provider_cost__isnull=True).update(
                provider_cost=cost)

    @property
    def duration(self) -> timedelta | None:
        if self.started_at and self.completed_at:
            return self.completed_at - self.started_at
        return None

