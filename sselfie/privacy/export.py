"""Export my data: one ZIP of the profile as JSON, the selfies, and the saved photos with
their prompts. Built in the background, written to private storage chunk by chunk, offered
by a link that expires."""

import json
import tempfile
import zipfile
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from sselfie import mail
from sselfie.accounts.models import Consent, Profile, User
from sselfie.billing.export import billing_history
from sselfie.privacy.models import DataExport
from sselfie.selfies.models import Selfie, random_key
from sselfie.studio.models import GeneratedImage
from sselfie.training.models import PersonalModel, Training


def request_export(user: User) -> DataExport:
    from sselfie.privacy.tasks import build_export

    export = DataExport.objects.create(
        owner=user, expires_at=timezone.now() + timedelta(days=settings.EXPORT_LINK_DAYS)
    )
    build_export.enqueue(str(export.pk))
    return export


def build(export_id: str) -> None:
    export = DataExport.objects.select_related("owner").get(pk=export_id)
    if export.state != DataExport.State.BUILDING:
        return
    user = export.owner
    # Built in a temporary file, photo by photo, so memory stays flat however large it is.
    with tempfile.TemporaryFile() as fh:
        with zipfile.ZipFile(fh, "w") as archive:
            _fill(archive, user)
        fh.seek(0)
        name = default_storage.save(random_key("exports", ".zip"), File(fh))
    DataExport.objects.filter(pk=export.pk).update(
        state=DataExport.State.READY, archive=name, size=default_storage.size(name)
    )
    mail.send("export_ready", {"link": mail.absolute(reverse("account")),
                               "expires_at": export.expires_at}, [user.email])


def _fill(archive: zipfile.ZipFile, user: User) -> None:
    archive.writestr("profile.json", json.dumps(_profile(user), indent=2, default=str))
    for n, selfie in enumerate(Selfie.objects.owned_by(user), start=1):
        _copy(archive, selfie.image, f"selfies/{n:02d}.jpg")
    images = []
    for image in GeneratedImage.objects.filter(owner=user, saved=True).order_by("created_at"):
        suffix = image.image.rsplit(".", 1)[-1]
        filename = f"photos/{image.created_at:%Y-%m-%d}-{str(image.id)[:8]}.{suffix}"
        _copy(archive, image.image, filename)
        images.append({"file": filename, "category": image.category,
                       "subcategory": image.subcategory, "prompt": image.prompt,
                       "created_at": image.created_at, "favourite": image.favourite,
                       "likeness": image.likeness})
    archive.writestr("photos.json", json.dumps(images, indent=2, default=str))


def _copy(archive: zipfile.ZipFile, storage_name: str, arcname: str) -> None:
    with default_storage.open(storage_name) as src, archive.open(arcname, "w") as dst:
        while chunk := src.read(1024 * 1024):
            dst.write(chunk)


def _profile(user: User) -> dict[str, Any]:
    profile = Profile.for_user(user)
    model = PersonalModel.objects.filter(owner=user).first()
    return {
        "email": user.email,
        "joined": user.date_joined,
        "profile": {f: getattr(profile, f) for f in
                    ("story", "dreams", "goals", "style", "industry", "industry_other",
                     "descriptor", "onboarded_at")},
        "plan": profile.plan.name,
        **billing_history(user),
        "consents": list(Consent.objects.filter(user=user).values("version", "accepted_at")),
        "personal_model": model and {
            "trigger_word": model.trigger_word, "replicate_model": str(model),
            "version": model.version, "created_at": model.created_at,
        },
        "trainings": list(Training.objects.filter(owner=user).values(
            "state", "created_at", "completed_at", "photo_count", "steps", "error")),
    }


def purge_expired(now: datetime | None = None) -> int:
    now = now or timezone.now()
    count = 0
    for export in DataExport.objects.filter(expires_at__lte=now):
        if export.archive:
            default_storage.delete(export.archive)
        export.delete()
        count += 1
    return count
