"""Benchmark the gallery page at 500 saved photos.

    .venv/bin/python bench/gallery.py [--photos 500] [--rounds 200]

Builds a temporary SQLite database and media folder, saves --photos photos (tiny files) for
one user, then times through the Django test client (every middleware, the session, the
onboarding check, the ORM, the templates):

  (a) the first page of /gallery/ (60 tiles), over a bare render of the same 60 tiles from
      plain dicts (same tile markup, no ORM, no layout, no middleware);
  (b) the deepest full page (the largest OFFSET) and /gallery/dates/ (grouped), over the
      same bare render;
and prints the queries each page ran, which must not grow with the gallery's size.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The grid's tile markup, with every URL already a string: the least work that can emit
# the same HTML.
BARE_TILE = (
    "{% for image in images %}<li class=\"tile\">"
    "<a class=\"tile__link\" href=\"{{ image.href }}\"><img src=\"{{ image.thumb }}\" "
    "alt=\"{{ image.title }}, {{ image.created_at|date:'M j, Y' }}\" loading=\"lazy\" "
    "decoding=\"async\"></a><div class=\"tile__bar\"><label class=\"tile__pick\">"
    "<input type=\"checkbox\" name=\"ids\" value=\"{{ image.id }}\">"
    "<span class=\"visually-hidden\">Select {{ image.title }}, "
    "{{ image.created_at|date:'M j, Y H:i' }}</span></label>"
    "<button type=\"submit\" class=\"fav\" id=\"fav-{{ image.id }}\" "
    "formaction=\"{{ image.fav }}\" name=\"favourite\" "
    "value=\"{{ image.favourite|yesno:'0,1' }}\" "
    "aria-pressed=\"{{ image.favourite|yesno:'true,false' }}\" hx-post=\"{{ image.fav }}\" "
    "hx-target=\"this\" hx-swap=\"outerHTML\"><span class=\"fav__icon\" "
    "aria-hidden=\"true\">{{ image.favourite|yesno:'♥,♡' }}</span> Favourite</button>"
    "</div></li>{% endfor %}"
)


def setup_django(var: Path) -> None:
    os.environ.update({"VAR_DIR": str(var), "LOG_LEVEL": "WARNING",
                       "DJANGO_SETTINGS_MODULE": "sselfie.settings"})
    for name in ("DATABASE_URL", "MEDIA_ROOT"):  # everything inside the throwaway folder
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # Not setup_test_environment(): its template instrumentation would slow every render.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # No collectstatic in a throwaway folder: plain static storage, as the tests use.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)


def arrange(photos: int):
    from django.utils import timezone

    from sselfie.accounts.models import Profile, User
    from sselfie.gallery.tests.factories import make_images

    user = User.objects.create_user("bench@example.com", "bench-password-123")
    profile = Profile.for_user(user)
    profile.story, profile.style, profile.industry, profile.descriptor = (
        "Bench", "minimal", "coaching", "woman")
    profile.complete_onboarding()
    profile.save()
    categories = [("portrait", "headshot"), ("lifestyle", "travel"), ("luxury", "yacht"),
                  ("editorial", "business")]
    # Four per generation, as the studio makes them, a few generations a day.
    for i in range(0, photos, 4):
        category, subcategory = categories[(i // 4) % len(categories)]
        make_images(user, min(4, photos - i), category=category, subcategory=subcategory,
                    favourite=i % 12 == 0,
                    newest=timezone.now() - timezone.timedelta(hours=7 * i // 4))
    return user


def interleaved(fns: dict, rounds: int) -> dict[str, float]:
    """Median seconds of each function, run in turns within every round, so load from
    elsewhere on the machine hits them all alike and the ratios stay steady."""
    for fn in fns.values():
        for _ in range(5):
            fn()  # warm caches: templates, URL resolver, connection
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(times) for name, times in samples.items()}


def bare_render(count: int):
    """Same tiles, from dicts with ready-made URLs, through the same template engine."""
    from django.template import engines
    from django.utils import timezone

    template = engines["django"].from_string(BARE_TILE)
    now = timezone.now()
    images = [{"id": f"00000000-0000-4000-8000-{i:012d}", "title": "Portrait · Headshot",
               "created_at": now, "favourite": i % 3 == 0,
               "href": f"/gallery/00000000-0000-4000-8000-{i:012d}/",
               "thumb": f"/images/00000000-0000-4000-8000-{i:012d}/thumb/",
               "fav": f"/gallery/00000000-0000-4000-8000-{i:012d}/favourite/"}
              for i in range(count)]
    return lambda: template.render({"images": images})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="sselfie-bench-gallery-"))
    try:
        run(var, args.photos, args.rounds)
    finally:
        shutil.rmtree(var, ignore_errors=True)


def run(var: Path, photos: int, rounds: int) -> None:
    setup_django(var)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from sselfie.gallery.browse import PAGE_SIZE

    user = arrange(photos)
    client = Client()
    client.force_login(user)
    deep = max(photos // PAGE_SIZE, 1)  # the deepest page that is still full
    pages = {"first page": "/gallery/", f"page {deep}": f"/gallery/?page={deep}",
             "by date": "/gallery/dates/"}

    def get(url: str):
        def fetch() -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        return fetch

    fns = {"bare": bare_render(PAGE_SIZE), **{name: get(url) for name, url in pages.items()}}
    medians = interleaved(fns, rounds)
    bare = medians["bare"]
    print(f"{photos} saved photos, {PAGE_SIZE} tiles a page, median of {rounds}")
    print(f"  bare render of {PAGE_SIZE} tiles from dicts: {bare * 1000:7.2f} ms")
    for name, url in pages.items():
        with CaptureQueriesContext(connection) as queries:
            get(url)()
        print(f"  {name:<16} {url:<20} {medians[name] * 1000:7.2f} ms  {len(queries)} queries"
              f"  ratio {medians[name] / bare:5.2f}")
    print(f"ratio (first page / bare render): {medians['first page'] / bare:.2f}")


if __name__ == "__main__":
    main()
