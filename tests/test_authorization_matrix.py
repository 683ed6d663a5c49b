"""Every URL pattern x (anonymous, owner, stranger, staff), with the status each must get.

The owner's objects are built once per test; the stranger and the staff member try every
one of them by id and must get 404, never 200 or 403. A meta-test fails when a URL pattern
is added without a row here.
"""

import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from PIL import Image

from conftest import make_user
from sselfie.gallery.models import ShareLink
from sselfie.privacy.models import DataExport
from sselfie.public import showcase
from sselfie.public.models import ShowcaseEntry
from sselfie.selfies.models import Selfie
from sselfie.studio.models import GeneratedImage, Generation
from sselfie.training.models import PersonalModel, Training
from tests.photos import distinct_selfies, seed_selfies

pytestmark = pytest.mark.django_db

LOGIN = 302  # anonymous visitors are sent to the login page
NF = 404


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # may name the owner's objects: {selfie} {training} {generation} {image} ...
    anonymous: int
    owner: int
    stranger: int
    data: tuple[tuple[str, str], ...] = ()

    @property
    def staff(self) -> int:
        return self.stranger  # operators use the admin; in the studio they are strangers


# name -> cases (some names take several arguments or methods)
MATRIX: dict[str, list[Case]] = {
    "home": [Case("GET", "/", 200, 302, 302)],
    "terms": [Case("GET", "/terms/", 200, 200, 200)],
    "showcase_photo": [Case("GET", "/showcase/{showcase}/photo/", 200, 200, 200)],
    "showcase_consent": [Case("POST", "/gallery/{image}/showcase/", LOGIN, 302, NF,
                              (("show", "1"),))],
    "my_showcase": [Case("GET", "/account/showcase/", LOGIN, 200, 200)],
    "health": [Case("GET", "/health/", 200, 200, 200)],
    "privacy": [Case("GET", "/privacy/", 200, 200, 200)],
    "workspace": [Case("GET", "/studio/", LOGIN, 200, 200)],
    "profile": [Case("GET", "/profile/", LOGIN, 200, 200)],
    "generate": [Case("POST", "/studio/generate/", LOGIN, 302, NF,
                      (("model", "{model}"), ("category", "portrait"),
                       ("subcategory", "headshot"), ("aspect_ratio", "1:1")))],
    "generation": [Case("GET", "/studio/generations/{generation}/", LOGIN, 286, NF)],
    "generation_again": [Case("POST", "/studio/generations/{generation}/again/", LOGIN, 302,
                              NF)],
    "selfies": [Case("GET", "/selfies/", LOGIN, 200, 200)],
    "selfie_upload": [Case("POST", "/selfies/upload/", LOGIN, 400, 400)],
    "selfie_coach": [Case("GET", "/selfies/coach/", LOGIN, 200, 200)],
    "selfie_delete": [Case("POST", "/selfies/{selfie}/delete/", LOGIN, 302, NF)],
    "selfie_replace": [Case("POST", "/selfies/{selfie}/replace/", LOGIN, 302, NF)],
    "selfie_photo": [Case("GET", "/selfies/{selfie}/thumb/", LOGIN, 200, NF),
                     Case("GET", "/selfies/{selfie}/full/", LOGIN, 200, NF)],
    "consent": [Case("POST", "/selfies/consent/", LOGIN, 302, 302, (("agree", "yes"),))],
    "train": [Case("POST", "/model/train/", LOGIN, 302, 302)],
    # The preview card of the person asking: there is no id to guess.
    "preview": [Case("GET", "/studio/preview/", LOGIN, 286, 286)],
    "model_status": [Case("GET", "/model/status/", LOGIN, 200, 286)],
    "training_cancel": [Case("GET", "/model/trainings/{training}/cancel/", LOGIN, 200, NF),
                        Case("POST", "/model/trainings/{training}/cancel/", LOGIN, 302, NF)],
    "replicate_webhook": [Case("POST", "/webhooks/replicate/", 400, 400, 400)],
    "gallery": [Case("GET", "/gallery/", LOGIN, 200, 200)],
    "gallery_favourites": [Case("GET", "/gallery/favourites/", LOGIN, 200, 200)],
    "gallery_favourites_zip": [Case("GET", "/gallery/favourites/download/", LOGIN, 200, 302)],
    "gallery_dates": [Case("GET", "/gallery/dates/", LOGIN, 200, 200)],
    "gallery_categories": [Case("GET", "/gallery/categories/", LOGIN, 200, 200)],
    "gallery_category": [Case("GET", "/gallery/categories/portrait/", LOGIN, 200, 200),
                         Case("GET", "/gallery/categories/portrait/headshot/", LOGIN, 200,
                              200)],
    "gallery_bulk": [Case("POST", "/gallery/bulk/", LOGIN, 302, 302,
                          (("action", "favourite"), ("ids", "{image}")))],
    "gallery_plans": [Case("GET", "/gallery/plans/", LOGIN, 200, 200)],
    "gallery_image": [Case("GET", "/gallery/{image}/", LOGIN, 200, NF)],
    "gallery_favourite": [Case("POST", "/gallery/{image}/favourite/", LOGIN, 302, NF)],
    "gallery_delete": [Case("GET", "/gallery/{image}/delete/", LOGIN, 200, NF),
                       Case("POST", "/gallery/{image}/delete/", LOGIN, 302, NF)],
    "gallery_share": [Case("POST", "/gallery/{image}/share/", LOGIN, 302, NF,
                           (("expires", ""),))],
    "gallery_share_revoke": [Case("POST", "/gallery/shares/{share}/revoke/", LOGIN, 302, NF)],
    "image_save": [Case("POST", "/images/{image}/save/", LOGIN, 302, NF)],
    "image_unsave": [Case("POST", "/images/{image}/unsave/", LOGIN, 302, NF)],
    "image_file": [Case("GET", "/images/{image}/thumb/", LOGIN, 200, NF),
                   Case("GET", "/images/{image}/full/", LOGIN, 200, NF),
                   Case("GET", "/images/{image}/download/", LOGIN, 200, NF)],
    "share_page": [Case("GET", "/s/{token}/", 200, 200, 200)],
    "share_image": [Case("GET", "/s/{token}/image/", 200, 200, 200)],
    # Data controls ask for the password again first (force_login is not a recent password).
    "account": [Case("GET", "/account/", LOGIN, 302, 302)],
    "confirm_delete": [Case("GET", "/account/delete/selfies/", LOGIN, 302, 302)],
    "delete_data": [Case("POST", "/account/delete/selfies/confirm/", LOGIN, 302, 302,
                         (("confirm", "DELETE"),))],
    "request_export": [Case("POST", "/account/export/", LOGIN, 302, 302)],
    # Someone else's export is a 404 before any re-authentication is asked for.
    "download_export": [Case("GET", "/account/exports/{export}/", LOGIN, 302, NF)],
    # Billing is off here (no Stripe key): checkout and portal don't exist, the return page
    # just goes back to the studio. sselfie/billing/tests cover them with billing on.
    "pricing": [Case("GET", "/pricing/", 200, 200, 200)],
    "billing_checkout": [Case("POST", "/billing/checkout/", LOGIN, NF, NF, (("plan", "1"),))],
    "billing_return": [Case("GET", "/billing/return/?session_id=cs_test_x", LOGIN, 302, 302)],
    "billing_portal": [Case("POST", "/billing/portal/", LOGIN, NF, NF)],
    "stripe_webhook": [Case("POST", "/webhooks/stripe/", 400, 400, 400)],
}


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 180, 160)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def world(settings) -> dict[str, str]:
    """The owner's objects, one of each kind; the stranger and staff have their own lives."""
    settings.REPLICATE_API_TOKEN = ""  # nothing here may call out
    owner = make_user("owner@example.com")
    make_user("stranger@example.com")
    staff = make_user("staff@example.com")
    staff.is_staff = True
    staff.save()
    seed_selfies(owner, distinct_selfies(12)[:1])
    model = PersonalModel.objects.create(
        owner=owner, replicate_owner="sselfie", replicate_name="user-x-selfie-lora",
        trigger_word="user_x_trigger", version="sselfie/user-x-selfie-lora:abc123")
    training = Training.objects.create(
        owner=owner, personal_model=model, zip_sha256="0" * 64, photo_count=10,
        trainer_version="ostris/flux-dev-lora-trainer:abc", steps=1000, state="training")
    gen = Generation.objects.create(
        owner=owner, personal_model=model, version=model.version, category="portrait",
        subcategory="headshot", aspect_ratio="1:1", prompt="p", seed=1, requested=4,
        charged=4, charged_day=timezone.now().date(), state="succeeded", delivered=1)
    full = default_storage.save("images/a.png", io.BytesIO(_png()))
    thumb = default_storage.save("images/a.webp", io.BytesIO(_png()))
    image = GeneratedImage.objects.create(
        owner=owner, personal_model=model, generation=gen, index=0, category="portrait",
        subcategory="headshot", prompt="p", image=full, thumbnail=thumb, width=64, height=48,
        saved=True, saved_at=timezone.now(), favourite=True)
    share = ShareLink.create_for(image, None)
    showcase.grant(image)
    entry = ShowcaseEntry.objects.create(image=image)
    export_file = default_storage.save("exports/e.zip", io.BytesIO(b"PK\x05\x06" + b"\0" * 18))
    export = DataExport.objects.create(owner=owner, state="ready", archive=export_file,
                                       expires_at=timezone.now() + timedelta(days=7))
    return {"selfie": str(Selfie.objects.get(owner=owner).pk), "model": str(model.pk),
            "training": str(training.pk), "generation": str(gen.pk), "image": str(image.pk),
            "share": str(share.pk), "token": share.token, "export": str(export.pk),
            "showcase": str(entry.pk)}


def client_for(persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        from sselfie.accounts.models import User

        client.force_login(User.objects.get(email=f"{persona}@example.com"))
    return client


CASES = [(name, i, persona) for name, cases in MATRIX.items() for i in range(len(cases))
         for persona in ("anonymous", "owner", "stranger", "staff")]


@pytest.mark.parametrize(("name", "index", "persona"), CASES)
def test_each_url_answers_each_persona_as_expected(world, name, index, persona):
    case = MATRIX[name][index]
    path = case.path.format(**world)
    data = {key: value.format(**world) for key, value in case.data}
    client = client_for(persona)
    response = client.get(path) if case.method == "GET" else client.post(path, data)
    expected = getattr(case, persona)
    assert response.status_code == expected, f"{case.method} {path} as {persona}"
    if persona == "anonymous" and expected == LOGIN and case.anonymous == LOGIN:
        assert response["Location"].startswith("/accounts/login/")


def _named_patterns(patterns: list, prefix: str = "") -> set[str]:
    names = set()
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin" or "allauth" in str(entry.urlconf_name):
                continue  # the admin and allauth have their own, tested permissions
            names |= _named_patterns(entry.url_patterns)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(entry.name)
    return names


def test_every_url_pattern_is_in_the_matrix():
    assert _named_patterns(get_resolver().url_patterns) == set(MATRIX)


def test_every_state_changing_url_refuses_a_request_without_csrf_token(world):
    """Except the webhooks, which are authenticated by their signatures instead."""
    client = client_for("owner")
    client.handler.enforce_csrf_checks = True
    for name, cases in MATRIX.items():
        for case in cases:
            if case.method == "POST" and not name.endswith("_webhook"):
                path = case.path.format(**world)
                assert client.post(path).status_code == 403, path
