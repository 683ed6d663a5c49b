"""Shared fixtures: personas for every view test.

- ``owner``: an onboarded user whose objects the tests act on;
- ``stranger``: another onboarded user who must never see the owner's things;
- ``newcomer``: signed up, questionnaire not done yet.
"""

import pytest

PASSWORD = "correct-horse-battery-staple"


def make_user(email: str, *, onboarded: bool = True):
    # Imported here so that pure-Python packages can run with ``-p no:django``.
    from sselfie.accounts.models import Profile, User

    user = User.objects.create_user(email, PASSWORD)
    profile = Profile.for_user(user)
    if onboarded:
        profile.story = "I help founders tell their story."
        profile.dreams = "A book and a stage."
        profile.goals = "Launch my coaching programme in spring."
        profile.style = "minimal"
        profile.industry = "coaching"
        profile.descriptor = "woman"
        profile.complete_onboarding()
        profile.save()
        from sselfie.accounts.consent import record_consent

        record_consent(user)
    return user


@pytest.fixture
def owner(db):
    return make_user("owner@example.com")


@pytest.fixture
def stranger(db):
    return make_user("stranger@example.com")


@pytest.fixture
def newcomer(db):
    return make_user("new@example.com", onboarded=False)


def logged_in(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(owner):
    return logged_in(owner)


@pytest.fixture
def stranger_client(stranger):
    return logged_in(stranger)


@pytest.fixture
def newcomer_client(newcomer):
    return logged_in(newcomer)


@pytest.fixture(autouse=True)
def _private_media(request, tmp_path):
    """Every test writes media into its own folder, never into var/."""
    if not request.config.pluginmanager.hasplugin("django"):
        return
    settings = request.getfixturevalue("settings")
    settings.PASSWORD_HASHERS = ["tests.hashers.CheapArgon2PasswordHasher"]
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": media}},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


# --- Replicate, faked by a real HTTP server -------------------------------------------------


def point_at(server, settings) -> None:
    from sselfie.engines import replicate

    settings.REPLICATE_API_TOKEN = server.config.token
    settings.REPLICATE_API_BASE_URL = server.base_url
    settings.REPLICATE_TRAINER_VERSION = server.trainer_version
    settings.REPLICATE_OWNER = ""
    settings.PUBLIC_URL = ""
    settings.RECONCILE_QUIET_SECONDS = 0
    settings.JOBS_RETRY_BASE_SECONDS = 0.01  # retries are tested, not waited for
    replicate.clear_caches()


@pytest.fixture
def fake_options() -> dict:
    """Override in a module to start the fake differently."""
    return {}


@pytest.fixture
def fake(settings, fake_options):
    from sselfie.engines import replicate
    from tests.fake_replicate import FakeReplicate

    options = {"image_megapixels": 0.05, **fake_options}
    with FakeReplicate(token="studio-test-token", **options) as server:
        point_at(server, settings)
        yield server
        replicate.clear_caches()


@pytest.fixture
def trained(owner, fake):
    """The owner's personal model, trained: a private model with one version at the fake."""
    from sselfie.selfies.tasks import rebuild_training_set
    from sselfie.training.models import PersonalModel
    from tests.photos import distinct_selfies, seed_selfies

    seed_selfies(owner, distinct_selfies(12)[:10])
    rebuild_training_set.call(owner.pk)
    name = f"user-{owner.public_id}-selfie-lora"
    fake.add_model(name)
    version = fake.add_version("sselfie", name)
    return PersonalModel.objects.create(
        owner=owner, replicate_owner="sselfie", replicate_name=name,
        trigger_word=f"user_{owner.public_id}_trigger", version=f"sselfie/{name}:{version}",
        training_status="succeeded",
    )
