"""The showcase: only photos whose owners said yes, chosen by an operator, gone at once
when the owner takes it back."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from conftest import logged_in, make_user
from sselfie.gallery.tests.factories import make_images, webp_bytes
from sselfie.public import showcase
from sselfie.public.admin import ShowcaseEntryForm
from sselfie.public.models import CONSENT_VERSION, DisplayConsent, ShowcaseEntry

pytestmark = pytest.mark.django_db
PHOTO = re.compile(r'/showcase/([0-9a-f-]{36})/photo/')


def featured(image):
    showcase.grant(image)
    return ShowcaseEntry.objects.create(image=image)


def landing_photos() -> list[str]:
    return PHOTO.findall(Client().get("/").content.decode())


def test_the_owner_opts_in_and_the_consent_is_recorded_with_time_and_wording(owner):
    [image] = make_images(owner)
    before = timezone.now()
    response = logged_in(owner).post(f"/gallery/{image.pk}/showcase/", {"show": "1"})
    assert response.status_code == 302 and response["Location"] == f"/gallery/{image.pk}/"
    [consent] = DisplayConsent.objects.all()
    assert consent.owner == owner and consent.image == image
    assert consent.version == CONSENT_VERSION and consent.revoked_at is None
    assert before <= consent.granted_at <= timezone.now()


def test_a_double_click_records_one_consent(owner):
    [image] = make_images(owner)
    client = logged_in(owner)
    for _ in range(3):
        assert client.post(f"/gallery/{image.pk}/showcase/", {"show": "1"}).status_code == 302
    assert DisplayConsent.objects.live().count() == 1


def test_the_wall_shows_consented_curated_photos_only(owner, stranger):
    consented, not_chosen, never_asked = make_images(owner, 3)
    entry = featured(consented)
    showcase.grant(not_chosen)  # consented, but the operator didn't pick it
    ShowcaseEntry.objects.create(image=never_asked)  # picked without consent: never shown
    assert landing_photos() == [str(entry.pk)]
    response = Client().get(f"/showcase/{entry.pk}/photo/")
    assert b"".join(response.streaming_content) == webp_bytes()
    assert response["Content-Type"] == "image/webp"
    assert response["Cache-Control"] == "public, max-age=60"


def test_revoking_removes_the_photo_at_once_everywhere(owner):
    [image] = make_images(owner)
    entry = featured(image)
    assert landing_photos() == [str(entry.pk)]

    response = logged_in(owner).post(f"/gallery/{image.pk}/showcase/", {"show": "0"})
    assert response.status_code == 302
    assert landing_photos() == []
    assert Client().get(f"/showcase/{entry.pk}/photo/").status_code == 404
    assert not ShowcaseEntry.objects.exists()  # the operator's pick is gone too
    [consent] = DisplayConsent.objects.all()  # the record stays: what was agreed, and when
    assert consent.revoked_at is not None


def test_removing_from_the_gallery_or_closing_the_account_hides_it(owner):
    first, second = make_images(owner, 2)
    one, two = featured(first), featured(second)
    first.saved = False
    first.save()
    assert landing_photos() == [str(two.pk)]
    assert Client().get(f"/showcase/{one.pk}/photo/").status_code == 404
    owner.is_active = False
    owner.save()
    assert landing_photos() == []


def test_the_settings_page_lists_consents_and_takes_them_back(owner, stranger):
    shown, allowed = make_images(owner, 2)
    featured(shown)
    showcase.grant(allowed)
    showcase.grant(make_images(stranger)[0])
    page = logged_in(owner).get("/account/showcase/").content.decode()
    assert page.count('name="show" value="0"') == 2
    assert "On the homepage now" in page and "Allowed, not chosen yet" in page
    assert logged_in(stranger).get("/account/showcase/").content.decode().count(
        'name="show" value="0"') == 1


@pytest.mark.parametrize("show", ["1", "0"])
def test_a_stranger_cannot_touch_someone_elses_photo(owner, stranger, show):
    [image] = make_images(owner)
    showcase.grant(image)
    response = logged_in(stranger).post(f"/gallery/{image.pk}/showcase/", {"show": show})
    assert response.status_code == 404
    assert DisplayConsent.objects.live().count() == 1


def test_only_saved_photos_can_be_offered(owner):
    [image] = make_images(owner, saved=False)
    response = logged_in(owner).post(f"/gallery/{image.pk}/showcase/", {"show": "1"})
    assert response.status_code == 404
    assert not DisplayConsent.objects.exists()


@pytest.mark.parametrize("data", [{}, {"show": "yes"}, {"show": "1" * 10_000},
                                  {"show": "<script>"}])
def test_malformed_answers_change_nothing(owner, data):
    [image] = make_images(owner)
    response = logged_in(owner).post(f"/gallery/{image.pk}/showcase/", data)
    assert response.status_code == 400
    assert not DisplayConsent.objects.exists()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x",
                                    "javascript:alert(1)"])
def test_a_hostile_next_is_ignored(owner, target):
    [image] = make_images(owner)
    response = logged_in(owner).post(f"/gallery/{image.pk}/showcase/",
                                     {"show": "1", "next": target})
    assert response["Location"] == f"/gallery/{image.pk}/"


def test_a_safe_next_is_followed(owner):
    [image] = make_images(owner)
    response = logged_in(owner).post(f"/gallery/{image.pk}/showcase/",
                                     {"show": "0", "next": "/account/showcase/"})
    assert response["Location"] == "/account/showcase/"


def test_operators_can_pick_only_consented_photos(owner):
    consented, private = make_images(owner, 2)
    showcase.grant(consented)
    form = ShowcaseEntryForm()
    assert list(form.fields["image"].queryset) == [consented]
    refused = ShowcaseEntryForm(data={"image": str(private.pk), "position": "1"})
    assert not refused.is_valid() and "image" in refused.errors
    accepted = ShowcaseEntryForm(data={"image": str(consented.pk), "position": "1"})
    assert accepted.is_valid()


def test_the_admin_lists_and_adds_showcase_entries(owner):
    [image] = make_images(owner)
    showcase.grant(image)
    staff = make_user("operator@example.com")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    admin = logged_in(staff)
    response = admin.post("/admin/public/showcaseentry/add/",
                          {"image": str(image.pk), "position": "5"})
    assert response.status_code == 302
    entry = ShowcaseEntry.objects.get()
    assert entry.position == 5
    listing = admin.get("/admin/public/showcaseentry/").content.decode()
    assert f"/showcase/{entry.pk}/photo/" in listing
    assert admin.get("/admin/public/displayconsent/").status_code == 200
    assert admin.get("/admin/public/displayconsent/add/").status_code == 403


def test_unknown_showcase_ids_are_404(db):
    assert Client().get("/showcase/00000000-0000-0000-0000-000000000000/photo/").status_code \
        == 404
