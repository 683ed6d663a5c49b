import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage

from conftest import PASSWORD, make_user
from sselfie.privacy import erasure
from sselfie.privacy.models import ProviderDeletion
from sselfie.studio import generation, ingest
from sselfie.studio.models import GeneratedImage, Generation
from sselfie.training.models import PersonalModel, Training

pytestmark = pytest.mark.django_db


def login_for_real(client, email: str) -> None:
    """Log in, then confirm the password again, as deletion and export ask."""
    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert response.status_code == 302
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302


def with_photos(owner, trained, fake) -> Generation:
    gen = generation.create(owner, trained, category="story", subcategory="journey",
                            aspect_ratio="1:1")
    generation.submit(str(gen.pk))
    gen.refresh_from_db()
    fake.complete(gen.provider_id)
    generation.apply(gen.pk, fake_state(fake, gen.provider_id))
    gen.refresh_from_db()
    ingest.ingest(str(gen.pk))
    GeneratedImage.objects.filter(generation=gen).update(saved=True)
    return gen


def fake_state(fake, prediction_id):
    from sselfie.engines import replicate

    return replicate.get_prediction(prediction_id)


def files_left(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) \
        if root.exists() else []


def user_rows(user_id: int) -> dict[str, int]:
    """Every row in the database that points at this user, table by table."""
    user_model = apps.get_model("accounts", "User")
    counts = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            points_at_user = (field.many_to_one or field.one_to_one) and \
                field.related_model is user_model and field.concrete
            if points_at_user:
                found = model.objects.filter(**{field.name: user_id}).count()
                if found:
                    counts[f"{model._meta.label}.{field.name}"] = found
    return counts


def test_deleting_the_account_leaves_no_rows_no_files_and_deletes_at_replicate(
    client, owner, trained, fake, settings, django_capture_on_commit_callbacks
):
    with_photos(owner, trained, fake)
    Training.objects.create(
        owner=owner, personal_model=trained, state="succeeded", zip_sha256="0" * 64,
        photo_count=10, trainer_version=fake.trainer_version, steps=1000,
        provider_file_id="file-that-was-never-deleted", version=trained.version,
    )
    other = make_user("other@example.com")
    login_for_real(client, "owner@example.com")
    assert files_left(settings)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/delete/account/confirm/", {"confirm": "DELETE"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert user_rows(owner.pk) == {}
    assert not apps.get_model("accounts", "User").objects.filter(pk=owner.pk).exists()
    assert files_left(settings) in ([], ["health/probe.txt"])
    assert client.get("/studio/").status_code == 302  # logged out
    assert apps.get_model("accounts", "User").objects.filter(pk=other.pk).exists()

    assert erasure.send_provider_deletions() == 3
    ops = [call.op for call in fake.calls() if call.op.endswith(".delete")]
    assert ops == ["models.versions.delete", "models.delete", "files.delete"]
    assert not ProviderDeletion.objects.filter(done_at__isnull=True).exists()


def test_deleting_the_model_keeps_photos_and_queues_replicate_deletions(
    client, owner, trained, fake
):
    gen = with_photos(owner, trained, fake)
    login_for_real(client, "owner@example.com")
    response = client.post("/account/delete/model/confirm/", {"confirm": "delete"})
    assert response.status_code == 302
    assert not PersonalModel.objects.filter(owner=owner).exists()
    assert GeneratedImage.objects.filter(generation=gen).count() == 4
    assert ProviderDeletion.objects.filter(kind="version").count() == 1
    erasure.send_provider_deletions()
    assert [c.op for c in fake.calls() if c.op.endswith(".delete")] == [
        "models.versions.delete", "models.delete"]


def test_replicate_deletions_that_fail_are_retried(owner, trained, fake):
    fake.faults.fail("models.versions.delete", times=1, status=500)
    erasure.delete_model(owner)
    assert erasure.send_provider_deletions() == 0  # version failed; model waits behind it
    failed = ProviderDeletion.objects.get(kind="version")
    assert failed.attempts >= 1 and failed.last_error and failed.done_at is None
    assert erasure.send_provider_deletions() == 2
    assert not ProviderDeletion.objects.filter(done_at__isnull=True).exists()


def test_deleting_selfies_removes_rows_and_files(client, owner, trained, settings,
                                                 django_capture_on_commit_callbacks):
    from sselfie.selfies.models import Selfie

    names = [s.image for s in Selfie.objects.filter(owner=owner)]
    login_for_real(client, "owner@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/account/delete/selfies/confirm/", {"confirm": "DELETE"})
    assert not Selfie.objects.filter(owner=owner).exists()
    assert not any(default_storage.exists(n) for n in names)
    assert PersonalModel.objects.filter(owner=owner).exists()


def test_deletion_needs_a_recent_password(owner_client, owner):
    response = owner_client.post("/account/delete/account/confirm/", {"confirm": "DELETE"})
    assert response.status_code == 302
    assert "/accounts/reauthenticate/" in response["Location"]
    assert apps.get_model("accounts", "User").objects.filter(pk=owner.pk).exists()


def test_deletion_needs_the_typed_confirmation(client, owner):
    login_for_real(client, "owner@example.com")
    response = client.post("/account/delete/account/confirm/", {"confirm": "yes"})
    assert response.status_code == 302 and "/account/delete/account/" in response["Location"]
    assert apps.get_model("accounts", "User").objects.filter(pk=owner.pk).exists()


@pytest.mark.parametrize("scope", ["everything", "../admin", "ACCOUNT"])
def test_unknown_scopes_are_404(client, owner, scope):
    login_for_real(client, "owner@example.com")
    assert client.get(f"/account/delete/{scope}/").status_code == 404
    assert client.post(f"/account/delete/{scope}/confirm/",
                       {"confirm": "DELETE"}).status_code == 404


def test_account_deletion_ends_every_session(owner):
    from django.test import Client

    phone, laptop = Client(), Client()
    login_for_real(phone, "owner@example.com")
    login_for_real(laptop, "owner@example.com")
    assert Session.objects.count() == 2
    laptop.post("/account/delete/account/confirm/", {"confirm": "DELETE"})
    assert Session.objects.count() == 0 or all(
        s.get_decoded().get("_auth_user_id") != str(owner.pk) for s in Session.objects.all())
    assert phone.get("/studio/").status_code == 302
