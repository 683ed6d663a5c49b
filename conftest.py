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
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": media}},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
