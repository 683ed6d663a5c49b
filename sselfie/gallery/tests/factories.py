"""Gallery photos for tests: real rows with small real files in the test's own MEDIA_ROOT."""

import io
from datetime import datetime, timedelta
from functools import cache

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Case, Value, When
from django.utils import timezone
from PIL import Image

from sselfie.studio.models import GeneratedImage, Generation, GenState
from sselfie.training.models import PersonalModel

PROMPT = "user_abc_trigger woman, editorial headshot, raw photo, film grain"


@cache
def png_bytes(color: tuple[int, int, int] = (180, 140, 120)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (80, 100), color).save(buf, "PNG")
    return buf.getvalue()


@cache
def webp_bytes(color: tuple[int, int, int] = (180, 140, 120)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (32, 40), color).save(buf, "WEBP")
    return buf.getvalue()


def personal_model(owner) -> PersonalModel:
    found, _ = PersonalModel.objects.get_or_create(owner=owner, defaults={
        "replicate_owner": "sselfie", "replicate_name": f"user-{owner.public_id}-lora",
        "trigger_word": f"user_{owner.public_id}_trigger",
        "version": f"sselfie/user-{owner.public_id}-lora:v1", "training_status": "succeeded",
    })
    return found


def make_images(owner, count: int = 1, *, saved: bool = True, favourite: bool = False,
                category: str = "portrait", subcategory: str = "headshot",
                newest: datetime | None = None, step: timedelta = timedelta(minutes=1),
                files: bool = True, thumb: bytes | None = None) -> list[GeneratedImage]:
    """`count` photos of `owner`, newest first, `step` apart, ending at `newest` (now)."""
    model = personal_model(owner)
    generation = Generation.objects.create(
        owner=owner, personal_model=model, version=model.version, category=category,
        subcategory=subcategory, aspect_ratio="4:5", prompt=PROMPT, seed=1, requested=count,
        charged=count, charged_day=timezone.now().date(), state=GenState.SUCCEEDED,
        delivered=count)
    rows = []
    for i in range(count):
        image = default_storage.save("images/photo.png", ContentFile(png_bytes())) if files \
            else f"images/missing-{generation.pk}-{i}.png"
        small = default_storage.save("images/thumb.webp", ContentFile(thumb or webp_bytes())) \
            if files else f"images/missing-{generation.pk}-{i}.webp"
        rows.append(GeneratedImage(
            owner=owner, personal_model=model, generation=generation, index=i,
            category=category, subcategory=subcategory, prompt=PROMPT, image=image,
            thumbnail=small, width=80, height=100, likeness=72.0, has_face=True, saved=saved,
            saved_at=timezone.now() if saved else None, favourite=favourite))
    created = GeneratedImage.objects.bulk_create(rows)
    newest = newest or timezone.now()
    times = {image.pk: newest - i * step for i, image in enumerate(created)}
    GeneratedImage.objects.filter(pk__in=times).update(created_at=Case(
        *[When(pk=pk, then=Value(at)) for pk, at in times.items()]))
    return list(GeneratedImage.objects.filter(pk__in=times).order_by("-created_at", "-id"))
