"""Copying finished outputs into our storage at once: provider URLs die within the hour.

Each output is downloaded with a size cap, checked to be an image, stored as sent (the
PNG a person downloads later), thumbnailed to WebP for grids, and scored for likeness.
Images already stored for a generation are skipped, so a rerun never duplicates them.
"""

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from sselfie.images.decode import decode
from sselfie.images.problems import ImageRejected
from sselfie.images.thumbs import make_thumbnail
from sselfie.selfies.models import random_key
from sselfie.studio.likeness import Likeness, Reference, reference_for
from sselfie.studio.models import GeneratedImage, Generation, GenState

log = logging.getLogger(__name__)

MAX_OUTPUT_BYTES = 40 * 1024 * 1024
THUMB_SIDE = 640  # grids show 2-4 across; 60 of these weigh well under 5 MB
# Long-lived threads (each keeps its face detector, costly to build) and one shared,
# thread-safe HTTP client with its connection pool.
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="ingest")
_HTTP = httpx.Client(timeout=httpx.Timeout(60, connect=10), follow_redirects=True)
EXPIRED = (403, 404, 410)


class OutputGone(Exception):
    """The provider no longer has this output (it expired or was removed)."""


def ingest_later(generation_id: object) -> None:
    from sselfie.studio.tasks import ingest_generation

    ingest_generation.enqueue(str(generation_id))


@dataclass(frozen=True)
class Prepared:
    data: bytes
    format: str
    width: int
    height: int
    thumbnail: bytes
    likeness: Likeness


def ingest(generation_id: str) -> None:
    generation = Generation.objects.select_related("owner").get(pk=generation_id)
    if generation.state != GenState.INGESTING:
        return
    done = set(generation.images.values_list("index", flat=True))
    todo = [(i, url) for i, url in enumerate(generation.outputs) if i not in done]
    reference = reference_for(generation.owner)
    # Outputs are fetched and prepared side by side (network waits, and Pillow and dlib
    # release the GIL); rows are written here, in this thread, one by one.
    prepared = list(_POOL.map(lambda job: _prepare(_HTTP, job[1], reference), todo))
    expired = 0
    for (index, _url), ready in zip(todo, prepared, strict=True):
        if ready is None:
            expired += 1
        else:
            _store(generation, index, ready)
    _finish(generation, expired=expired)


def _prepare(http: httpx.Client, url: str, reference: Reference) -> Prepared | None:
    """Download and check one output; None when the provider no longer has it."""
    try:
        data = _download(http, url)
    except OutputGone:
        return None
    try:
        decoded = decode(data)
    except ImageRejected as exc:
        log.warning("Output %s is not an image: %s", url, exc)
        return None
    return Prepared(data, decoded.format, decoded.width, decoded.height,
                    make_thumbnail(decoded.image, THUMB_SIDE), reference.score(decoded.image))


def _download(http: httpx.Client, url: str) -> bytes:
    with http.stream("GET", url) as response:
        if response.status_code in EXPIRED:
            raise OutputGone(url)
        response.raise_for_status()  # other errors are transient: the task is retried
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_OUTPUT_BYTES:
                raise OutputGone(f"{url} is larger than {MAX_OUTPUT_BYTES} bytes")
            chunks.append(chunk)
    return b"".join(chunks)


def _store(generation: Generation, index: int, ready: Prepared) -> None:
    suffix = {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp"}.get(ready.format, ".img")
    image = default_storage.save(random_key("images", suffix), ContentFile(ready.data))
    thumb = default_storage.save(random_key("images", ".webp"), ContentFile(ready.thumbnail))
    try:
        with transaction.atomic():
            GeneratedImage.objects.create(
                owner_id=generation.owner_id, personal_model_id=generation.personal_model_id,
                generation=generation, index=index, category=generation.category,
                subcategory=generation.subcategory, prompt=generation.prompt, image=image,
                thumbnail=thumb, width=ready.width, height=ready.height,
                likeness=ready.likeness.score, has_face=ready.likeness.has_face,
            )
    except IntegrityError:  # a parallel run stored this output first
        default_storage.delete(image)
        default_storage.delete(thumb)


def _finish(generation: Generation, *, expired: int) -> None:
    from sselfie.studio.generation import refund

    delivered = generation.images.count()
    now = timezone.now()
    if delivered == 0:
        from sselfie.studio.generation import fail

        fail(generation, "Your photos were ready but expired at Replicate before we could "
                         "save them. Nothing was charged; please try again.")
        return
    held_back = generation.requested - delivered - expired
    notice = ""
    if held_back > 0:
        notice = (f"{held_back} of {generation.requested} photos were held back by the safety "
                  "filter; they weren't charged.")
    elif expired:
        notice = f"{expired} photo(s) expired before we could save them; they weren't charged."
    with transaction.atomic():
        ended = Generation.objects.filter(pk=generation.pk, state=GenState.INGESTING).update(
            state=GenState.SUCCEEDED, delivered=delivered, notice=notice, completed_at=now,
            synced_at=now, outputs=[],
        )
        if ended:
            refund(generation.pk, generation.charged - delivered)
