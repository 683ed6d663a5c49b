import pytest

from sselfie.gallery.models import ShareLink
from sselfie.gallery.tests.factories import make_images


@pytest.fixture
def photos(owner):
    """Three saved photos of the owner, newest first; the middle one a favourite."""
    images = make_images(owner, 3)
    images[1].favourite = True
    images[1].save(update_fields=["favourite"])
    return images


@pytest.fixture
def photo(photos):
    return photos[0]


@pytest.fixture
def link(photo):
    return ShareLink.create_for(photo, None)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Personas are made per test; Argon2 (right for production) would dominate the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
