import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from conftest import logged_in
from sselfie.images.tests import samples
from sselfie.selfies.models import Selfie
from tests.photos import big_heic, distinct_selfies

pytestmark = pytest.mark.django_db


def send(client, *files: tuple[str, bytes], url: str = "/selfies/upload/"):
    uploads = [SimpleUploadedFile(name, data, "image/jpeg") for name, data in files]
    return client.post(url, {"photos": uploads}, HTTP_HX_REQUEST="true")


def stored_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return [str(p) for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_anonymous_visitors_are_sent_to_login(client):
    for url in ("/selfies/", "/selfies/coach/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert client.post("/selfies/upload/").status_code == 302


def test_good_photo_is_accepted_cleaned_and_served_only_to_its_owner(
    owner_client, owner, stranger_client, settings
):
    gps = samples.gps_jpeg(samples.upscale(samples.astronaut(), 1100))
    response = send(owner_client, ("../../etc/passwd.jpg", gps))
    assert response.status_code == 201
    assert "Added to your set" in response.content.decode()
    assert response["HX-Trigger"] == "selfies-changed"
    selfie = Selfie.objects.get(owner=owner)
    assert selfie.original_name == "passwd.jpg"
    assert "passwd" not in selfie.image and selfie.image.startswith("selfies/")

    served = owner_client.get(f"/selfies/{selfie.id}/full/")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    body = b"".join(served.streaming_content)
    with Image.open(io.BytesIO(body)) as im:
        assert not im.getexif()
        assert "exif" not in im.info and "xmp" not in im.info
    with default_storage.open(selfie.image) as fh:
        assert b"GPS" not in fh.read()

    for url in (f"/selfies/{selfie.id}/full/", f"/selfies/{selfie.id}/thumb/"):
        assert stranger_client.get(url).status_code == 404
    assert stranger_client.post(f"/selfies/{selfie.id}/delete/").status_code == 404
    assert Selfie.objects.filter(pk=selfie.pk).exists()


def test_iphone_heic_is_accepted(owner_client, owner):
    response = send(owner_client, ("IMG_0001.HEIC", big_heic()))
    assert response.status_code == 201
    assert Selfie.objects.filter(owner=owner).count() == 1


def _bad_corpus() -> dict[str, bytes]:
    face = samples.upscale(samples.astronaut(), 1100)
    good = samples.jpeg(face)
    return {
        "empty.jpg": b"",
        "truncated.jpg": good[: len(good) // 2],
        "notes.jpg": b"These are my notes, not a photo.\n" * 20,
        "drawing.svg": samples.SVG,
        "document.pdf": samples.PDF,
        "polyglot.jpg": samples.html_jpeg_polyglot(face),
        "bomb.png": samples.pixel_bomb_png(),
        "animated.gif": samples.animated("GIF", face),
        "animated.webp": samples.animated("WEBP", face),
        "sky.fits": samples.fits_file(),
        "coffee.jpg": samples.jpeg(samples.upscale(samples.coffee(), 1100)),
        "cat.jpg": samples.jpeg(samples.upscale(samples.chelsea(), 1100)),
        "small.jpg": samples.jpeg(samples.astronaut()),
        "blurry.jpg": samples.jpeg(samples.blurred(face, 8)),
        "two.jpg": samples.jpeg(samples.upscale(
            samples.side_by_side(samples.astronaut(), samples.grace_hopper()), 1600)),
    }


@pytest.mark.parametrize("name", list(_bad_corpus()))
def test_bad_input_gets_a_clear_message_and_nothing_is_stored(owner_client, settings, name):
    response = send(owner_client, (name, _bad_corpus()[name]))
    assert response.status_code == 422
    page = response.content.decode()
    assert 'class="verdict verdict--bad"' in page
    assert 'class="verdict__hint"' in page
    assert not Selfie.objects.exists()
    assert stored_files(settings) == []


def test_a_photo_with_svg_in_its_compressed_data_is_accepted(owner_client, owner):
    """The reported refusal: `<sVg` by chance in a genuine JPEG's entropy-coded data."""
    data = distinct_selfies(12)[8]
    eoi = data.rindex(b"\xff\xd9")
    spot = next(i for i in range(eoi - 400, eoi - 5)
                if data[i - 1] != 0xFF and 0xFF not in data[i : i + 5])
    photo = data[:spot] + b"<sVg " + data[spot + 5 :]
    response = send(owner_client, ("IMG_2041.jpg", photo))
    assert response.status_code == 201, response.content.decode()
    assert Selfie.objects.filter(owner=owner).count() == 1


def test_oversized_file_is_refused_while_it_streams(owner_client, settings):
    settings.SELFIE_MAX_BYTES = 1024 * 1024
    big = distinct_selfies(12)[0] + b"\0" * (1024 * 1024)
    response = send(owner_client, ("big.jpg", big))
    assert response.status_code == 413
    assert "“big.jpg” is larger than 1 MB." in response.content.decode()
    assert stored_files(settings) == []


def test_a_30_megabyte_file_is_refused(owner_client, settings):
    response = send(owner_client, ("huge.jpg", b"\xff\xd8\xff" + b"\0" * (30 * 1024 * 1024)))
    assert response.status_code == 413
    assert "larger than 25 MB" in response.content.decode()
    assert stored_files(settings) == []


def test_duplicate_photo_is_refused(owner_client, owner):
    photo = distinct_selfies(12)[0]
    assert send(owner_client, ("a.jpg", photo)).status_code == 201
    response = send(owner_client, ("a-again.jpg", photo))
    assert response.status_code == 422
    assert 'data-code="duplicate"' in response.content.decode()
    assert Selfie.objects.filter(owner=owner).count() == 1


def test_the_16th_photo_is_refused(owner_client, owner, settings):
    settings.SELFIE_MAX_COUNT = 3
    photos = distinct_selfies(12)[:4]
    for i, photo in enumerate(photos[:3]):
        assert send(owner_client, (f"{i}.jpg", photo)).status_code == 201
    response = send(owner_client, ("extra.jpg", photos[3]))
    assert response.status_code == 422
    assert 'data-code="set_full"' in response.content.decode()
    assert Selfie.objects.filter(owner=owner).count() == 3


def test_more_files_than_a_set_in_one_request_get_the_forms_message(owner_client):
    files = [(f"{i}.jpg", b"x") for i in range(16)]
    response = send(owner_client, *files)
    assert response.status_code == 400
    assert "Choose at most 15 photos at once (you chose 16)." in response.content.decode()
    assert not Selfie.objects.exists()


def test_no_javascript_form_with_too_many_files_says_so_on_the_page(owner_client, settings):
    uploads = [SimpleUploadedFile(f"{i}.jpg", b"x", "image/jpeg") for i in range(16)]
    response = owner_client.post("/selfies/", {"photos": uploads}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and "Drop photos here" in page
    assert "Choose at most 15 photos at once (you chose 16)." in page
    assert "Bad Request" not in page
    assert not Selfie.objects.exists() and stored_files(settings) == []


def test_one_bad_file_does_not_hide_the_others(owner_client, owner):
    response = send(owner_client, ("good.jpg", distinct_selfies(12)[1]), ("bad.jpg", b"nope"))
    assert response.status_code == 422
    page = response.content.decode()
    assert "Added to your set" in page and "bad.jpg" in page
    assert Selfie.objects.filter(owner=owner).count() == 1


def test_no_javascript_form_posts_all_files_and_reports_each(owner_client, owner):
    uploads = [SimpleUploadedFile("one.jpg", distinct_selfies(12)[2], "image/jpeg"),
               SimpleUploadedFile("two.txt", b"hello", "text/plain")]
    response = owner_client.post("/selfies/", {"photos": uploads}, follow=True)
    page = response.content.decode()
    assert "1 photo added." in page
    assert "two.txt" in page
    assert Selfie.objects.filter(owner=owner).count() == 1
    # Only true messages: one success, one refusal, nothing about the form's encoding.
    assert "No file was submitted" not in page
    assert page.count('class="message message--') == 2


def test_empty_post_says_what_to_do(owner_client):
    response = owner_client.post("/selfies/upload/", {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "Choose at least one photo" in response.content.decode()


def test_remove_deletes_the_row_and_its_files(owner_client, owner, settings,
                                               django_capture_on_commit_callbacks):
    send(owner_client, ("a.jpg", distinct_selfies(12)[3]))
    selfie = Selfie.objects.get(owner=owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/selfies/{selfie.id}/delete/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Trigger"] == "selfies-changed"
    assert not Selfie.objects.exists()
    assert not default_storage.exists(selfie.image)
    assert not default_storage.exists(selfie.thumbnail)


def test_replace_swaps_the_photo(owner_client, owner):
    send(owner_client, ("a.jpg", distinct_selfies(12)[4]))
    old = Selfie.objects.get(owner=owner)
    upload = SimpleUploadedFile("b.jpg", distinct_selfies(12)[5], "image/jpeg")
    response = owner_client.post(f"/selfies/{old.id}/replace/", {"photos": upload}, follow=True)
    assert "Replaced with b.jpg" in response.content.decode()
    new = Selfie.objects.get(owner=owner)
    assert new.pk != old.pk and new.original_name == "b.jpg"


def test_replace_with_a_refused_photo_keeps_the_old_one(owner_client, owner, settings):
    send(owner_client, ("a.jpg", distinct_selfies(12)[4]))
    old = Selfie.objects.get(owner=owner)
    upload = SimpleUploadedFile("b.jpg", b"not a photo at all", "image/jpeg")
    response = owner_client.post(f"/selfies/{old.id}/replace/", {"photos": upload}, follow=True)
    page = response.content.decode()
    assert "b.jpg:" in page and "Your old photo is still in your set." in page
    assert list(Selfie.objects.filter(owner=owner)) == [old]
    assert default_storage.exists(old.image) and default_storage.exists(old.thumbnail)


def test_replace_in_a_full_set_and_with_a_near_copy_of_itself(owner_client, owner, settings):
    """The photo being replaced counts neither towards the maximum nor as a duplicate."""
    settings.SELFIE_MAX_COUNT = 2
    send(owner_client, ("a.jpg", distinct_selfies(12)[4]), ("b.jpg", distinct_selfies(12)[5]))
    old = Selfie.objects.get(owner=owner, original_name="a.jpg")
    upload = SimpleUploadedFile("a2.jpg", distinct_selfies(12)[4], "image/jpeg")
    response = owner_client.post(f"/selfies/{old.id}/replace/", {"photos": upload}, follow=True)
    assert "Replaced with a2.jpg" in response.content.decode()
    names = sorted(Selfie.objects.filter(owner=owner).values_list("original_name", flat=True))
    assert names == ["a2.jpg", "b.jpg"]


def test_stranger_cannot_replace(owner_client, owner, stranger_client):
    send(owner_client, ("a.jpg", distinct_selfies(12)[6]))
    selfie = Selfie.objects.get(owner=owner)
    upload = SimpleUploadedFile("b.jpg", distinct_selfies(12)[7], "image/jpeg")
    assert stranger_client.post(f"/selfies/{selfie.id}/replace/",
                                {"photos": upload}).status_code == 404
    assert Selfie.objects.filter(pk=selfie.pk).exists()


def test_upload_requires_csrf(owner):
    client = logged_in(owner)
    client.handler.enforce_csrf_checks = True
    response = send(client, ("a.jpg", distinct_selfies(12)[0]))
    assert response.status_code == 403
    assert not Selfie.objects.exists()


def test_no_upload_without_consent(owner_client, owner, settings):
    from sselfie.accounts.models import Consent

    Consent.objects.filter(user=owner).delete()
    page = owner_client.get("/selfies/").content.decode()
    assert "Before your first upload" in page and "Replicate" in page
    assert "Drop photos here" not in page
    response = send(owner_client, ("a.jpg", distinct_selfies(12)[0]))
    assert response.status_code == 403
    assert not Selfie.objects.exists() and stored_files(settings) == []

    assert owner_client.post("/selfies/consent/", {}).status_code == 302
    assert not Consent.objects.filter(user=owner).exists()
    owner_client.post("/selfies/consent/", {"agree": "yes"})
    consent = Consent.objects.get(user=owner)
    assert consent.version and consent.accepted_at
    assert send(owner_client, ("a.jpg", distinct_selfies(12)[0])).status_code == 201
