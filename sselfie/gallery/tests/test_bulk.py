"""The grid's bulk form and ZIP downloads."""

import io
import uuid
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import StreamingHttpResponse

from sselfie.gallery import archive
from sselfie.gallery.forms import MAX_SELECTION
from sselfie.gallery.tests.factories import make_images, png_bytes
from sselfie.studio.models import GeneratedImage


def bulk(client, action: str, ids, **extra):
    return client.post("/gallery/bulk/", {"action": action, "ids": [str(i) for i in ids],
                                          "next": "/gallery/", **extra})


def favourites(user) -> set:
    return set(GeneratedImage.objects.filter(owner=user, favourite=True).values_list("id",
                                                                                  flat=True))


def test_bulk_favourite_and_unfavourite(owner, owner_client, photos):
    response = bulk(owner_client, "favourite", [photos[0].id, photos[2].id])
    assert response["Location"] == "/gallery/"
    assert favourites(owner) == {p.id for p in photos}
    bulk(owner_client, "unfavourite", [photos[1].id])
    assert favourites(owner) == {photos[0].id, photos[2].id}


def test_foreign_and_malformed_ids_are_silently_ignored(owner, stranger, owner_client, photos):
    theirs = make_images(stranger, 2)
    ids = [photos[0].id, theirs[0].id, "not-a-uuid", "", "' OR 1=1", "1" * 300, uuid.uuid4()]
    assert bulk(owner_client, "favourite", ids).status_code == 302
    assert favourites(owner) == {photos[0].id, photos[1].id}
    assert not favourites(stranger)
    bulk(owner_client, "delete", [theirs[1].id], confirm="yes")
    assert GeneratedImage.objects.filter(owner=stranger).count() == 2


def test_only_foreign_ids_is_nothing_selected(owner_client, stranger):
    theirs = make_images(stranger, 1)
    response = bulk(owner_client, "download", [theirs[0].id])
    assert response.status_code == 302 and not isinstance(response, StreamingHttpResponse)


def test_huge_selections_are_refused(owner_client, photos):
    ids = [uuid.uuid4() for _ in range(MAX_SELECTION + 1)]
    assert bulk(owner_client, "favourite", ids).status_code == 400
    # Past Django's own field limit the request never reaches the view.
    assert bulk(owner_client, "favourite", ids * 3).status_code == 400


@pytest.mark.parametrize("action", ["", "explode", "favourite; drop table", None])
def test_unknown_actions_are_400(owner_client, photos, action):
    data = {"ids": [str(photos[0].id)]}
    if action is not None:
        data["action"] = action
    assert owner_client.post("/gallery/bulk/", data).status_code == 400


def test_bulk_delete_confirms_then_deletes(owner, owner_client, photos,
                                          django_capture_on_commit_callbacks):
    chosen = [photos[0].id, photos[2].id]
    response = bulk(owner_client, "delete", chosen)
    body = response.content.decode()
    assert response.status_code == 200 and "Delete 2 photos for good?" in body
    assert body.count('name="ids"') == 2 and 'name="confirm" value="yes"' in body
    assert GeneratedImage.objects.filter(owner=owner).count() == 3
    files = [photos[0].image, photos[0].thumbnail]
    with django_capture_on_commit_callbacks(execute=True):
        response = bulk(owner_client, "delete", chosen, confirm="yes")
    assert response["Location"] == "/gallery/"
    assert list(GeneratedImage.objects.filter(owner=owner)) == [photos[1]]
    assert not any(default_storage.exists(f) for f in files)


def test_bulk_confirmation_never_echoes_a_foreign_next(owner_client, photos):
    body = bulk(owner_client, "delete", [photos[0].id],
                next="javascript:alert(1)").content.decode()
    assert "javascript:" not in body


def read_zip(response) -> tuple[zipfile.ZipFile, list[bytes]]:
    assert isinstance(response, StreamingHttpResponse)
    chunks = list(response.streaming_content)
    return zipfile.ZipFile(io.BytesIO(b"".join(chunks))), chunks


def test_zip_of_a_selection(owner_client, photos, stranger):
    theirs = make_images(stranger, 1)
    response = bulk(owner_client, "download", [photos[0].id, photos[2].id, theirs[0].id])
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="sselfie-selection-')
    assert response["Content-Disposition"].endswith('-2-photos.zip"')
    archive_, _ = read_zip(response)
    names = archive_.namelist()
    assert len(names) == 2 and all(n.startswith("sselfie-portrait-headshot-") for n in names)
    assert {n.split("-")[-1].split(".")[0] for n in names} == {str(photos[0].id)[:8],
                                                               str(photos[2].id)[:8]}
    assert archive_.read(names[0]) == png_bytes()
    assert archive_.testzip() is None


def test_zip_of_all_favourites(owner, owner_client, photos):
    response = owner_client.get("/gallery/favourites/download/")
    assert 'filename="sselfie-favourites-' in response["Content-Disposition"]
    archive_, _ = read_zip(response)
    assert len(archive_.namelist()) == 1


def test_no_favourites_no_zip(owner_client):
    response = owner_client.get("/gallery/favourites/download/")
    assert response["Location"] == "/gallery/favourites/"


def test_zip_streams_in_small_chunks(owner, owner_client):
    """Three 1 MB photos: the archive arrives in many chunks, none near the whole size,
    so memory stays at one chunk however large the selection."""
    photos = make_images(owner, 3, favourite=True)
    payloads = []
    for i, photo in enumerate(photos):
        data = bytes([i]) * 1024 * 1024
        default_storage.delete(photo.image)
        default_storage.save(photo.image, ContentFile(data))
        payloads.append(data)
    archive_, chunks = read_zip(owner_client.get("/gallery/favourites/download/"))
    assert len(chunks) > 40
    assert max(map(len, chunks)) <= archive.CHUNK + 1024
    assert sorted(archive_.read(n) for n in archive_.namelist()) == sorted(payloads)
    assert all(i.compress_type == zipfile.ZIP_STORED for i in archive_.infolist())


def test_a_file_gone_missing_is_skipped_not_a_broken_archive(owner, owner_client):
    photos = make_images(owner, 2, favourite=True)
    default_storage.delete(photos[0].image)
    archive_, _ = read_zip(owner_client.get("/gallery/favourites/download/"))
    assert len(archive_.namelist()) == 1 and archive_.testzip() is None


def test_single_download_has_a_sensible_name(owner_client, photo):
    response = owner_client.get(f"/images/{photo.id}/download/")
    expected = (f'attachment; filename="sselfie-portrait-headshot-'
                f'{photo.created_at:%Y%m%d}-{str(photo.id)[:8]}.png"')
    assert response["Content-Disposition"] == expected
    assert response["Content-Type"] == "image/png"
