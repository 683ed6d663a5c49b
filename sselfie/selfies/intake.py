"""Taking in one uploaded photo: check it, keep only clean pixels, record what we measured.

Checks run in the request, one photo per request when the browser uploads them side by
side, so the first verdicts show within a second or two and nothing waits on a queue.
A refused photo leaves nothing behind: no row, no file.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from sselfie.accounts.models import Profile, User
from sselfie.images import problems
from sselfie.images.checks import PhotoReport, assess_photo
from sselfie.images.hashing import hamming
from sselfie.images.markup import hides_markup
from sselfie.images.photoset import DUPLICATE_BITS
from sselfie.images.problems import Problem
from sselfie.selfies import training_set
from sselfie.selfies.models import Selfie, SelfieQuerySet, random_key

HIDDEN_CODE = Problem(
    "hidden_code",
    "This file hides web code inside the photo, so we won't accept it.",
    "Export the photo again from your phone or photo app and upload that copy.",
)


@dataclass(frozen=True)
class Verdict:
    name: str  # the file name as the person chose it, shown back to them only
    selfie: Selfie | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.selfie is not None


def display_name(upload: UploadedFile) -> str:
    name = (upload.name or "photo").replace("\\", "/").rsplit("/", 1)[-1]
    return name[:120]


def too_big(size: int) -> Problem:
    limit_mb = settings.SELFIE_MAX_BYTES // (1024 * 1024)
    return Problem(
        "too_big",
        f"This file is {size / 1024 / 1024:.0f} MB; photos can be at most {limit_mb} MB.",
        "Export the photo at a smaller size (most phones' “Large” or “Actual size” is fine).",
    )


def set_full() -> Problem:
    return Problem(
        "set_full",
        f"Your set already has {settings.SELFIE_MAX_COUNT} photos, the most we train on.",
        "Remove a photo before adding another, or replace one.",
    )


def take_upload(user: User, upload: UploadedFile, *, replacing: Selfie | None = None) -> Verdict:
    """Check one upload and keep it if it passes. With `replacing`, the new photo takes
    that one's place in the same transaction, and only if it is accepted."""
    name = display_name(upload)
    if upload.size is not None and upload.size > settings.SELFIE_MAX_BYTES:
        return Verdict(name, problems=[too_big(upload.size)])
    if upload.size == 0:
        return Verdict(name, problems=[problems.EMPTY])
    if replacing is None and Selfie.objects.owned_by(user).count() >= settings.SELFIE_MAX_COUNT:
        return Verdict(name, problems=[set_full()])  # cheap refusal; store_report decides

    data = upload.read()
    # A polyglot (a photo that is also a web page) is refused rather than quietly cleaned;
    # see images/markup.py for where we look and why.
    if hides_markup(data):
        return Verdict(name, problems=[HIDDEN_CODE])
    report = assess_photo(data, min_short_side=settings.SELFIE_MIN_SHORT_SIDE)
    if not report.ok:
        return Verdict(name, problems=list(report.problems))
    return store_report(user, name, report, replacing=replacing)


def _duplicate_among(selfies: SelfieQuerySet, phash: str) -> bool:
    hashes = selfies.values_list("phash", flat=True)
    return any(hamming(phash, other) <= DUPLICATE_BITS for other in hashes)


def store_report(user: User, name: str, report: PhotoReport, *,
                 replacing: Selfie | None = None) -> Verdict:
    """Keep a photo that passed its checks, unless the set filled up or gained a near-copy
    meanwhile. Both are decided under the owner's profile lock, in the transaction that
    inserts: parallel uploads of one photo store it once, and never overfill the set."""
    # A report that passed has measured everything (images/checks.py); checked here so a
    # caller that skipped the checks fails before anything is stored.
    if (not report.ok or report.cleaned is None or report.thumbnail is None
            or report.cleaned_size is None or report.face_box is None
            or report.embedding is None or report.phash is None or report.sharpness is None
            or report.brightness is None or report.pose is None or report.framing is None):
        raise ValueError("only a photo that passed its checks can be stored")
    image = default_storage.save(random_key("selfies", ".jpg"), ContentFile(report.cleaned))
    thumb = default_storage.save(random_key("selfies", ".webp"), ContentFile(report.thumbnail))
    problem = None
    with transaction.atomic():
        Profile.objects.select_for_update().filter(user=user).first()
        others = Selfie.objects.owned_by(user)
        if replacing is not None and others.filter(pk=replacing.pk).exists():
            others = others.exclude(pk=replacing.pk)
        else:
            replacing = None  # removed meanwhile: the new photo is a plain addition
        if others.count() >= settings.SELFIE_MAX_COUNT:
            problem = set_full()
        elif _duplicate_among(others, report.phash):
            problem = problems.DUPLICATE
        else:
            if replacing is not None:
                gone = replacing
                Selfie.objects.filter(pk=gone.pk).delete()
                transaction.on_commit(gone.delete_files)
            selfie = Selfie.objects.create(
                owner=user, image=image, thumbnail=thumb, original_name=name,
                width=report.cleaned_size[0], height=report.cleaned_size[1],
                face_box=list(report.face_box), embedding=list(report.embedding),
                phash=report.phash, sharpness=report.sharpness, brightness=report.brightness,
                pose=report.pose, framing=report.framing,
            )
            training_set.set_changed(user.pk)
    if problem is not None:
        default_storage.delete(image)
        default_storage.delete(thumb)
        return Verdict(name, problems=[problem])
    return Verdict(name, selfie=selfie)


def remove(selfie: Selfie) -> None:
    owner_id = selfie.owner_id
    with transaction.atomic():
        # The same lock as uploads, so a removal and an upload see each other's counts.
        Profile.objects.select_for_update().filter(user_id=owner_id).first()
        deleted, _ = Selfie.objects.filter(pk=selfie.pk).delete()
        if deleted:
            transaction.on_commit(selfie.delete_files)
            training_set.set_changed(owner_id)
