"""The saved-images limit under real concurrency: parallel saves in parallel connections.

SQLite serialises writers (transaction_mode IMMEDIATE); PostgreSQL relies on the profile
row lock in saving.save(). Run with DATABASE_URL=postgres://… to test the latter.
"""

import threading

import pytest
from django.db import connection

from sselfie.gallery import saving
from sselfie.gallery.tests.factories import make_images
from sselfie.studio.models import GeneratedImage

pytestmark = pytest.mark.django_db(transaction=True)


def test_twenty_parallel_saves_at_499_give_exactly_one(owner):
    make_images(owner, 499, files=False)
    candidates = make_images(owner, 20, saved=False, files=False)
    saved, full, start = [], [], threading.Barrier(len(candidates))

    def click(image: GeneratedImage) -> None:
        try:
            start.wait()
            saving.save(image)
            saved.append(image.pk)
        except saving.GalleryFull:
            full.append(image.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(image,)) for image in candidates]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert (len(saved), len(full)) == (1, 19)
    assert GeneratedImage.objects.filter(owner=owner, saved=True).count() == 500
