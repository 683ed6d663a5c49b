"""Lighthouse (mobile profile) and axe-core on the public pages, the way the issue measures
them: every category at 95 or more, cumulative layout shift exactly 0, and no serious or
critical axe finding at phone and desktop sizes, in light and dark mode.

To measure another page, add it to PAGES (signed_in=True runs it with a fresh member's
session cookie). Reports land in artifacts/quality/.

Lighthouse runs once per CI run, not once per database: the studio under test always runs
on its own SQLite (tests/e2e/conftest.py), so the PostgreSQL pass would audit the very same
pages again and add minutes for nothing. That pass skips this module.
"""

import http.cookiejar
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.template.loader import render_to_string
from django.test import override_settings

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.quality import run_lighthouse, standin

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"),
                       reason="Lighthouse and axe run once per CI run, on the SQLite pass: "
                              "the studio under test never uses this database."),
]

MINIMUM = 0.95
REPORTS = ARTIFACTS.parent / "quality"
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
PASSWORD = "a-long-and-private-passphrase"


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # on the studio; error pages are served by the stand-in at /__page__/<name>/
    seo: bool = True  # exempt where a page is an error (or noindex) on purpose
    signed_in: bool = False


ERRORS = ("403", "404", "500", "csrf")
PAGES = [
    Page("landing", "/"),
    Page("sign-up", "/accounts/signup/"),
    Page("pricing", "/pricing/"),
    *[Page(f"error-{name}", f"/__page__/{name}/", seo=False) for name in ERRORS],
]


class Member:
    """A fresh account, signed up through the real form, for pages behind the login."""

    def __init__(self, studio: str) -> None:
        self.studio = studio
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.open(f"{studio}/accounts/signup/", timeout=30).read()
        self.post("/accounts/signup/", {"email": f"quality-{os.getpid()}@example.com",
                                        "password1": PASSWORD, "password2": PASSWORD})

    def cookie(self, name: str) -> str:
        return next(c.value for c in self.jar if c.name == name)

    def post(self, path: str, data: dict[str, str]) -> None:
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.cookie("csrftoken")})
        request = urllib.request.Request(  # noqa: S310 (the studio on loopback)
            self.studio + path, data=body.encode(), headers={"Referer": self.studio + path})
        self.opener.open(request, timeout=30).read()

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.studio + path, timeout=30) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    @property
    def header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


@pytest.fixture(scope="module")
def member(studio) -> Member:
    return Member(studio)


def _error_pages(studio: str, member: Member) -> dict[str, str]:
    """Each error page exactly as the studio sends it (the 500 as Django renders it: there is
    no honest way to make the running studio fail)."""
    pages = {}
    status, pages["404"] = member.get("/no-such-page/")
    assert status == 404
    status, pages["403"] = member.get("/admin/login/")  # signed in, not an operator
    assert status == 403
    try:  # a form sent without its CSRF token: the stale-form page
        urllib.request.urlopen(urllib.request.Request(  # noqa: S310 (loopback)
            f"{studio}/accounts/login/", data=b"login=a%40example.com&password=x"), timeout=30)
    except urllib.error.HTTPError as error:
        assert error.code == 403
        pages["csrf"] = error.read().decode()
    with override_settings(STORAGES={"staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}):
        pages["500"] = render_to_string("500.html")
    assert "That form has expired" in pages["csrf"] and "went wrong" in pages["500"]
    return pages


@pytest.fixture(scope="module")
def site(studio, member) -> Iterator[str]:
    """The studio's address, seen through the stand-in that also serves the error pages."""
    with standin(studio, _error_pages(studio, member)) as url:
        yield url


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_lighthouse_mobile_scores_95_everywhere_with_no_layout_shift(site, member, page):
    report = run_lighthouse(site + page.path, REPORTS / f"{page.name}.json",
                            cookie=member.header if page.signed_in else "")
    assert report.problems(minimum=MINIMUM, seo=page.seo) == [], page.name


def test_axe_finds_nothing_serious_and_nothing_is_wider_than_the_screen(
        site, member, playwright_browser):
    axe, problems = Axe(), []
    for scheme in ("light", "dark"):
        for size, viewport in SIZES.items():
            context = playwright_browser.new_context(viewport=viewport, color_scheme=scheme)
            page = context.new_page()
            for target in PAGES:
                if target.signed_in:
                    context.add_cookies([{"name": c.name, "value": c.value, "url": site}
                                         for c in member.jar])
                page.goto(site + target.path)
                where = f"{target.name} ({size}, {scheme})"
                for v in axe.run(page).response["violations"]:
                    if v["impact"] in ("serious", "critical"):
                        problems.append(f"{where}: {v['id']} ({v['impact']}): {v['help']}")
                overflow = page.evaluate("document.documentElement.scrollWidth"
                                         " - document.documentElement.clientWidth")
                if overflow > 0:
                    problems.append(f"{where}: {overflow}px wider than the screen")
                if size == "phone":
                    problems += _small_targets(page, where)
            context.close()
    assert problems == []


def _small_targets(page, where: str) -> list[str]:
    """Links and buttons outside running text must be at least 44 px tall on a phone."""
    small = page.evaluate("""() => [...document.querySelectorAll('a, button, summary')]
        .filter(e => !e.closest('p, li:not(nav li), dd, figcaption, .fine'))
        .map(e => [e.textContent.trim().slice(0, 30), e.getBoundingClientRect().height])
        .filter(([, h]) => h > 0 && h < 44)""")
    return [f"{where}: tap target {text!r} is {height:.0f}px tall" for text, height in small]


def test_the_error_pages_each_offer_a_way_back(site):
    for name in ERRORS:
        with urllib.request.urlopen(f"{site}/__page__/{name}/", timeout=30) as answer:  # noqa: S310
            html = answer.read().decode()
        assert re.search(r'<a class="btn[^"]*" href="/', html), name
