"""Lighthouse (mobile profile) and axe-core on the public pages, the way the issue measures
them: every category at 95 or more, cumulative layout shift exactly 0, and no serious or
critical axe finding at phone and desktop sizes, in light and dark mode.

To measure another public page, add it to PAGES (signed_in=True runs it with a fresh
member's session cookie). Pages behind the login whose content depends on how far the member
has come (the workspace's steps, the gallery, a photo, its share page) are measured in
test_every_signed_in_state_...: add a state there, audited right after the member reaches
it. Reports land in artifacts/quality/.

Lighthouse runs once per CI run, not once per database: the studio under test always runs
on its own SQLite (tests/e2e/conftest.py), so the PostgreSQL pass would audit the very same
pages again and add minutes for nothing. That pass skips this module.
"""

import http.cookiejar
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.template.loader import render_to_string
from django.test import override_settings
from playwright.sync_api import expect

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
LOOKS = [(scheme, size, viewport) for scheme in ("light", "dark")
         for size, viewport in SIZES.items()]
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

    def __init__(self, studio: str, name: str = "quality") -> None:
        self.studio = studio
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.open(f"{studio}/accounts/signup/", timeout=30).read()
        self.post("/accounts/signup/", {"email": f"{name}-{os.getpid()}@example.com",
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
    problems = []
    for scheme, size, viewport in LOOKS:
        context = playwright_browser.new_context(viewport=viewport, color_scheme=scheme)
        page = context.new_page()
        for target in PAGES:
            if target.signed_in:
                context.add_cookies([{"name": c.name, "value": c.value, "url": site}
                                     for c in member.jar])
            page.goto(site + target.path)
            problems += _look(page, f"{target.name} ({size}, {scheme})", phone=size == "phone")
        context.close()
    for target in PAGES:
        cookies = [{"name": c.name, "value": c.value, "url": site} for c in member.jar]
        problems += _photos_keep_their_place(playwright_browser, site + target.path,
                                             cookies if target.signed_in else [], target.name)
    assert problems == []


def _look(page, where: str, *, phone: bool) -> list[str]:
    """axe's serious and critical findings, sideways scrolling, and small tap targets."""
    problems = [f"{where}: {v['id']} ({v['impact']}): {v['help']}"
                for v in Axe().run(page).response["violations"]
                if v["impact"] in ("serious", "critical")]
    overflow = page.evaluate("document.documentElement.scrollWidth"
                             " - document.documentElement.clientWidth")
    if overflow > 0:
        problems.append(f"{where}: {overflow}px wider than the screen")
    return problems + (_small_targets(page, where) if phone else [])


def _photos_keep_their_place(browser, url: str, cookies: list[dict], where: str) -> list[str]:
    """Every image's box on a phone while no image has arrived yet, against its box once
    all have: a difference is a layout shift that Lighthouse sees only when the network
    happens to be slow (a share page's photo was a 2 px box until it arrived)."""
    context = browser.new_context(viewport=SIZES["phone"], is_mobile=True, has_touch=True)
    context.add_cookies(cookies)
    page, held = context.new_page(), []
    page.route("**/*", lambda route: held.append(route)
               if route.request.resource_type == "image" and held is not None
               else route.continue_())
    page.goto(url, wait_until="domcontentloaded")
    # The page as it is first painted: stylesheets in (they block the paint, not
    # DOMContentLoaded) and fonts ready, images still on their way.
    page.wait_for_function("() => [...document.querySelectorAll('link[rel=stylesheet]')]"
                           ".every(link => link.sheet) && document.fonts.status === 'loaded'")
    boxes = "[...document.images].map(i => [i.src.split('/').slice(-3).join('/'), " \
            "Math.round(i.getBoundingClientRect().width), " \
            "Math.round(i.getBoundingClientRect().height)])"
    before = page.evaluate(boxes)
    waiting, held = held, None
    for route in waiting:
        route.continue_()
    page.wait_for_load_state("load")
    after = page.evaluate(boxes)
    context.close()
    return [f"{where}: image {b[0]} was {b[1]}x{b[2]} before it arrived, {a[1]}x{a[2]} after"
            for b, a in zip(before, after, strict=False) if b != a]


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


# Behind the login, each state is audited the moment the member reaches it: the workspace
# shows a different step as they progress, so it cannot be measured afterwards.
SIGNED_IN_STATES = ("workspace-selfies", "workspace-ready-to-train", "workspace-training",
                    "workspace-create", "gallery", "lightbox", "share")
SLOW = 60_000  # ms: uploads, training and creation go through the worker and the fake


class Auditor:
    """Lighthouse and axe (light and dark, phone and desktop) on one URL, with the member's
    cookies; the scores of every state go to artifacts/quality/signed-in.json."""

    def __init__(self, browser, driver) -> None:
        self.browser, self.driver = browser, driver
        self.problems: list[str] = []
        self.scores: dict[str, dict[str, float]] = {}

    def __call__(self, name: str, url: str, *, signed_in: bool = True, seo: bool = True) -> None:
        cookies = self.driver.cookies() if signed_in else []
        report = run_lighthouse(url, REPORTS / f"{name}.json",
                                cookie="; ".join(f"{c['name']}={c['value']}" for c in cookies))
        self.scores[name] = {**report.scores, "cls": report.cls}
        self.problems += [f"{name}: {p}" for p in report.problems(minimum=MINIMUM, seo=seo)]
        for scheme, size, viewport in LOOKS:
            context = self.browser.new_context(viewport=viewport, color_scheme=scheme)
            context.add_cookies(cookies)
            page = context.new_page()
            page.goto(url)
            page.wait_for_load_state("networkidle")
            self.problems += _look(page, f"{name} ({size}, {scheme})", phone=size == "phone")
            context.close()
        self.problems += _photos_keep_their_place(self.browser, url, cookies, name)
        (REPORTS / "signed-in.json").write_text(json.dumps(self.scores, indent=2))


def test_every_signed_in_state_scores_95_with_no_layout_shift_and_passes_axe(
        studio, fake_provider, playwright_browser, photos):
    member = Member(studio, "quality-journey")
    driver = playwright_browser.new_context(viewport=SIZES["phone"], has_touch=True,
                                            is_mobile=True)
    driver.add_cookies([{"name": c.name, "value": c.value, "url": studio} for c in member.jar])
    page = driver.new_page()
    page.set_default_timeout(15_000)
    audit = Auditor(playwright_browser, driver)

    # The questionnaire done, no selfies yet.
    page.goto(studio + "/studio/")
    page.get_by_label("What should we call you?").fill("Quinn")
    page.get_by_label("Your story").fill("Physiotherapist opening a practice in Porto.")
    page.get_by_label("Your dreams").fill("A practice people recommend to friends.")
    page.get_by_label("Your goals").fill("Open in spring, then a weekly newsletter.")
    page.get_by_label(re.compile("Luxury: polished")).check()
    page.get_by_label("Industry:", exact=True).select_option("fitness")
    page.get_by_label("A person (no gender)").check()
    page.get_by_role("button", name="Enter my studio").click()
    expect(page.get_by_text("Welcome back, Quinn")).to_be_visible()
    audit("workspace-selfies", studio + "/studio/")

    # Twelve usable selfies: ready to train.
    page.goto(studio + "/selfies/")
    page.get_by_label(re.compile("I agree")).check()
    page.get_by_role("button", name="Agree and continue").click()
    page.locator("#id_photos").set_input_files(photos[:12])  # the last file is not a photo
    expect(page.get_by_role("heading", name="Ready to train")).to_be_visible(timeout=SLOW)
    page.goto(studio + "/studio/")
    audit("workspace-ready-to-train", studio + "/studio/")

    # Training, held mid-way at the fake so the page stays in progress while it is measured.
    before = {job["id"] for job in fake_provider.jobs("training")}
    page.get_by_role("button", name="Train my model").click()
    job = _new_job(fake_provider, before)
    held = fake_provider.hold(job, after=4)  # booted, photos unpacked, two of five updates
    assert held["status"] == "processing", held
    try:
        page.goto(studio + "/studio/")
        expect(page.locator("#model-card")).to_contain_text("Learning your face", timeout=SLOW)
        # The state measured is a training in progress with its instant preview shown: wait
        # for the preview's photos (about 10 s after Train) so every run audits the same page.
        expect(page.locator("#preview[hx-get]")).to_have_count(0, timeout=SLOW)
        audit("workspace-training", studio + "/studio/")
    finally:
        fake_provider.release(job)

    # The model ready, with a finished set of photos under Create.
    page.goto(studio + "/studio/")
    expect(page.get_by_role("heading", name="Your model is ready")).to_be_visible(timeout=SLOW)
    page.get_by_role("button", name="Create My Images").click()
    finished = page.locator(".generation").first.locator(".result:not(.result--pending)")
    expect(finished).to_have_count(4, timeout=SLOW)
    audit("workspace-create", studio + "/studio/")

    # A saved photo: the gallery, then its own page (the lightbox's deep link).
    first = page.locator(".generation").first.locator(".result").first
    first.get_by_role("button", name="Save to Gallery").click()
    expect(first.get_by_text("Saved to your gallery")).to_be_visible()
    audit("gallery", studio + "/gallery/")
    page.goto(studio + "/gallery/")
    photo = studio + page.locator(".tile__link").first.get_attribute("href")
    audit("lightbox", photo)

    # Its share link, as the person it is sent to sees it (noindex on purpose: no SEO).
    page.goto(photo)
    page.get_by_role("button", name="Create share link").click()
    share = page.locator(".share__link input").first.input_value()
    audit("share", share, signed_in=False, seo=False)

    driver.close()
    assert sorted(audit.scores) == sorted(SIGNED_IN_STATES)
    assert audit.problems == [], "\n".join(audit.problems)  # pytest would cut the list short


def _new_job(fake, before: set[str], timeout: float = 60) -> str:
    """The training the studio's worker has just started at the fake."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fresh = [job["id"] for job in fake.jobs("training") if job["id"] not in before]
        if fresh:
            return fresh[0]
        time.sleep(0.05)
    raise AssertionError("the studio never started a training at the fake")
