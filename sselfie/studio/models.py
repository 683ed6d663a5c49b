import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q

from sselfie.jobs.retries import busy_note
from sselfie.studio.prompts import load_catalog, validate_template
from sselfie.training.models import PersonalModel, Training, provider_cost

if TYPE_CHECKING:
    from sselfie.accounts.models import User


class PromptTemplate(models.Model):
    """A subcategory's prompt, editable by operators. Seeded from prompts.toml; the builder
    falls back to the TOML text when no row exists."""

    category = models.CharField(max_length=40)
    subcategory = models.CharField(max_length=40)
    template = models.TextField(max_length=1000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["category", "subcategory"],
                                               name="one_template_per_subcategory")]
        ordering = ["category", "subcategory"]

    def __str__(self) -> str:
        return f"{self.category} / {self.subcategory}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        problems = validate_template(self.template)
        if problems:
            raise ValidationError({"template": problems})
        try:
            load_catalog().category(self.category).subcategory(self.subcategory)
        except Exception as exc:
            raise ValidationError(str(exc)) from exc


class GenState(models.TextChoices):
    QUEUED = "queued", "Queued"
    SUBMITTING = "submitting", "Sending to the studio"
    PROCESSING = "processing", "Creating"
    INGESTING = "ingesting", "Saving your photos"
    SUCCEEDED = "succeeded", "Done"
    FAILED = "failed", "Failed"


class GenKind(models.TextChoices):
    PHOTOS = "photos", "Photos from the personal model"
    PREVIEW = "preview", "Instant preview from an official model"


ACTIVE = (GenState.QUEUED, GenState.SUBMITTING, GenState.PROCESSING, GenState.INGESTING)


class GenerationQuerySet(models.QuerySet["Generation"]):
    def owned_by(self, user: "User") -> "GenerationQuerySet":
        return self.filter(owner=user)

    def photos(self) -> "GenerationQuerySet":
        return self.filter(kind=GenKind.PHOTOS)

    def previews(self) -> "GenerationQuerySet":
        return self.filter(kind=GenKind.PREVIEW)


class Generation(models.Model):
    """One prediction: a press of "Create My Images" (up to 4 photos from the personal
    model), or one photo of an instant preview (an official identity model, which makes one
    image per prediction, given the best selfies as references while the model trains)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="generations")
    # SET_NULL: deleting the personal model keeps the photos already made with it.
    personal_model = models.ForeignKey(PersonalModel, on_delete=models.SET_NULL, null=True,
                                       related_name="generations")
    kind = models.CharField(max_length=8, choices=GenKind.choices, default=GenKind.PHOTOS)
    # Previews: the training they keep company, and the selfies sent as references
    # (Files API uploads, deleted at Replicate once the preview has finished).
    training = models.ForeignKey(Training, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="previews")
    references = models.JSONField(default=list, blank=True,
                                  help_text="Files API uploads sent as references: [{id, url}]")
    references_cleared = models.BooleanField(default=False)
    version = models.CharField(max_length=200, help_text="the model version used (previews: "
                                                         "the official model's name)")
    category = models.CharField(max_length=40)
    subcategory = models.CharField(max_length=40)
    aspect_ratio = models.CharField(max_length=8)
    prompt = models.TextField(help_text="exactly as sent")
    seed = models.PositiveBigIntegerField()
    input = models.JSONField(default=dict, blank=True, help_text="the input as sent")
    outputs = models.JSONField(default=list, blank=True,
                               help_text="provider URLs, kept only until ingested")
    state = models.CharField(max_length=12, choices=GenState.choices, default=GenState.QUEUED)
    provider_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    requested = models.PositiveSmallIntegerField()
    charged = models.PositiveSmallIntegerField(help_text="images taken from the daily quota")
    charged_day = models.DateField()
    refunded = models.PositiveSmallIntegerField(default=0)
    delivered = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    notice = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(auto_now_add=True)
    predict_seconds = models.FloatField(null=True, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True,
                                        help_text="when the scheduled poll is due")
    retries = models.PositiveSmallIntegerField(
        default=0, help_text="times the provider turned the create away")
    busy_since = models.DateTimeField(null=True, blank=True,
                                      help_text="first time the provider turned it away")
    provider_cost = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True,
                                        help_text="what Replicate charged, in USD")

    objects = GenerationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "synced_at"]),
                   models.Index(fields=["owner", "-created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(refunded__lte=models.F("charged")),
                                   name="refund_never_exceeds_charge"),
        ]

    def __str__(self) -> str:
        return f"Generation {self.id} ({self.state})"

    @property
    def busy_note(self) -> str:
        """Set while Replicate keeps turning the create away and we keep retrying."""
        return busy_note(self.retries, self.busy_since) if self.state == "queued" else ""

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE

    def record_cost(self, predict_time: float | None) -> None:
        """Store Replicate's charge once, when the prediction ends (failed runs are billed
        too); the price is the one in force then."""
        cost = provider_cost(predict_time, settings.REPLICATE_PREDICTION_PRICE_PER_SECOND)
        if cost is not None:
            Generation.objects.filter(pk=self.pk, provider_cost__isnull=True).update(
                provider_cost=cost)

    @property
    def is_preview(self) -> bool:
        return self.kind == GenKind.PREVIEW


class ImageQuerySet(models.QuerySet["GeneratedImage"]):
    def owned_by(self, user: "User") -> "ImageQuerySet":
        return self.filter(owner=user)


class GeneratedImage(models.Model):
    """The seed's `generated_images` row. The image lives in our storage, never at a
    provider URL (those die within the hour)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="images")
    personal_model = models.ForeignKey(PersonalModel, on_delete=models.SET_NULL, null=True,
                                       related_name="images")
    generation = models.ForeignKey(Generation, on_delete=models.CASCADE, related_name="images")
    index = models.PositiveSmallIntegerField()
    category = models.CharField(max_length=40)
    subcategory = models.CharField(max_length=40)
    prompt = models.TextField()
    image = models.CharField(max_length=200)
    thumbnail = models.CharField(max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    likeness = models.FloatField(null=True, blank=True,
                                 help_text="0-100, similarity to the owner's selfies")
    has_face = models.BooleanField(default=True)
    saved = models.BooleanField(default=False)
    saved_at = models.DateTimeField(null=True, blank=True)
    favourite = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    title: str = ""  # not a column: set by the gallery for display (gallery/browse.py)

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "index"]
        constraints = [models.UniqueConstraint(fields=["generation", "index"],
                                               name="one_image_per_output")]
        indexes = [models.Index(fields=["owner", "saved", "-created_at"])]

    def __str__(self) -> str:
        return f"Image {self.id}"
