"""The whole journey, as a person lives it, in a real Chromium, at phone and desktop sizes.

Every step leaves a screenshot under artifacts/e2e/<viewport>/. The test fails on any
console error, failed request or 5xx answer, and on serious or critical axe-core findings
on the main pages.
"""

import re
import time
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
# A phone is a touch screen: it gets (hover: none) and (pointer: coarse), so its own wording.
TOUCH = {"phone": {"has_touch": True, "is_mobile": True}, "desktop": {}}
PASSWORD = "a-long-and-private-passphrase"
# The bad photo's upload is refused with 422, as it should be; nothing else may be 4xx.
EXPECTED_4XX = ("/selfies/upload/",)
CHROME_4XX = re.compile(r"Failed to load resource: the server responded with a status of 4\d\d")
SLOW = 60_000  # ms: training and creating photos go through the worker and the fake


class Journey:
    def __init__(self, page: Page, base: str, folder: Path) -> None:
        self.page, self.base, self.folder = page, base, folder
        self.step = 0
        self.problems: list[str] = []
        self.axe = Axe()
        folder.mkdir(parents=True, exist_ok=True)
        page.on("console", self._console)
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, msg) -> None:
        # Chrome logs every 4xx answer as a console error; 4xx answers are checked in
        # _response instead, against the ones this journey provokes on purpose.
        if msg.type == "error" and not CHROME_4XX.match(msg.text):
            self.problems.append(f"console error on {self.page.url}: {msg.text[:160]}")

    def _failed(self, request) -> None:
        # Navigation cancels in-flight polls; that is the browser's doing, not a failure.
        if "ERR_ABORTED" not in (request.failure or ""):
            self.problems.append(f"request failed: {request.url} {request.failure}")

    def _response(self, response) -> None:
        if response.status >= 500:
            self.problems.append(f"{response.status} from {response.url}")
        elif response.status >= 400 and not response.url.endswith(EXPECTED_4XX):
            self.problems.append(f"unexpected {response.status} from {response.url}")

    def shot(self, name: str, *, full_page: bool = True) -> None:
        self.step += 1
        # A page wider than the screen means sideways scrolling on a phone.
        overflow = self.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            self.problems.append(f"{name}: {overflow}px wider than the screen")
        # caret="initial": hiding the caret makes Playwright inject a <style>, which our CSP
        # rightly blocks (a console error that is the test's doing, not the studio's).
        self.page.screenshot(path=self.folder / f"{self.step:02d}-{name}.png", full_page=full_page,
                             caret="initial")

    def check_accessibility(self, name: str) -> None:
        results = self.axe.run(self.page)
        bad = [v for v in results.response["violations"]
               if v["impact"] in ("serious", "critical")]
        for v in bad:
            where = [node["target"] for node in v["nodes"][:3]]
            self.problems.append(f"axe on {name}: {v['id']} ({v['impact']}): {v['help']} "
                                 f"at {where}")

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_whole_journey(studio, playwright_browser, photos, viewport, tmp_path):
    context = playwright_browser.new_context(viewport=VIEWPORTS[viewport], accept_downloads=True,
                                             **TOUCH[viewport])
    page = context.new_page()
    page.set_default_timeout(15_000)
    j = Journey(page, studio, ARTIFACTS / viewport)
    # 60 characters with no hyphen: long addresses must never push a page sideways.
    local = f"journey{viewport}{time.time_ns()}"
    email = local + "x" * (60 - len(local) - len("@example.com")) + "@example.com"
    assert len(email) == 60 and "-" not in email

    # 1. Sign up, then the onboarding questionnaire.
    j.go("/")
    j.check_accessibility("landing")
    j.shot("landing")
    page.get_by_role("link", name="Create my studio").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again):").fill(PASSWORD)
    j.shot("signup")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Tell us who you are")).to_be_visible()
    j.shot("onboarding-empty")
    j.check_accessibility("onboarding")
    page.get_by_label("What should we call you?").fill("Ana")
    page.get_by_label("Your story").fill("Architect turned wellness coach in Lisbon.")
    page.get_by_label("Your dreams").fill("A retreat brand people trust.")
    page.get_by_label("Your goals").fill("Launch the spring retreat and a podcast.")
    page.get_by_label(re.compile("Luxury: polished")).check()
    page.get_by_label("Industry:", exact=True).select_option("fitness")
    page.get_by_label("A person (no gender)").check()
    j.shot("onboarding")
    page.get_by_role("button", name="Enter my studio").click()
    expect(page.get_by_role("heading", name="Your studio")).to_be_visible()
    expect(page.get_by_text("Welcome back, Ana")).to_be_visible()
    assert email not in page.content()  # greeted by name, never by address
    j.check_accessibility("workspace")
    j.shot("workspace-new")

    # 2. Selfies: consent, twelve photos (one HEIC) and one file that is not a photo.
    page.get_by_role("link", name="Upload your selfies").click()
    page.get_by_label(re.compile("I agree")).check()
    page.get_by_role("button", name="Agree and continue").click()
    # The consent form posts and redirects: axe runs on the page it lands on, not mid-way.
    choose = "Choose from your camera roll" if viewport == "phone" else "Choose photos"
    expect(page.get_by_text(choose, exact=True)).to_be_visible()
    page.wait_for_load_state()
    j.check_accessibility("selfies")
    if viewport == "phone":
        expect(page.get_by_text("Drop photos here")).to_be_hidden()
    j.shot("selfies-empty")
    page.locator("#id_photos").set_input_files(photos)
    expect(page.locator(".verdict--bad").filter(has_text="notes.jpg")).to_be_visible(
        timeout=SLOW)
    expect(page.get_by_role("heading", name="Ready to train")).to_be_visible(timeout=SLOW)
    expect(page.locator(".selfie-grid .selfie")).to_have_count(12)
    j.shot("selfies-ready")
    j.go("/studio/")
    j.shot("workspace-ready-to-train")
    page.get_by_role("link", name="Review my selfies").click()

    # 3. Train (with the default instant preview), see the preview photos while the model is
    # still training, then reach ready.
    expect(page.get_by_label("Your instant preview")).to_have_value("portrait/headshot")
    page.get_by_role("button", name="Train my model").click()
    stages = re.compile("Getting ready|Sending your photos|Warming up|Learning your face")
    expect(page.locator("#model-card")).to_contain_text(stages)
    expect(page.locator("#model-card")).to_contain_text("we'll email you")
    card_text = page.locator("#model-card").inner_text()
    assert not re.search(r"\b(Queued|Uploading|Starting)\b", card_text)
    j.shot("training")
    expect(page.locator("#preview .result")).to_have_count(2, timeout=SLOW)
    expect(page.locator("#preview")).to_contain_text("made from your selfies by")
    expect(page.locator("#preview .result").first).to_contain_text("Preview · Likeness")
    expect(page.get_by_role("heading", name="Your model is ready")).to_have_count(0)
    stages = re.compile("Getting ready|Sending your photos|Warming up|Learning your face")
    expect(page.locator("#model-card")).to_contain_text(stages)
    j.check_accessibility("preview")
    j.shot("preview-while-training")
    cancel = page.get_by_role("link", name="Cancel training…")
    if cancel.is_visible():  # the fake trains in seconds: it may be done already
        cancel.click()
        if page.get_by_role("heading", name="Cancel this training?").is_visible():
            j.shot("training-cancel-confirm")
            page.get_by_role("link", name="Keep training").click()
    expect(page.get_by_role("heading", name="Your model is ready")).to_be_visible(timeout=SLOW)
    j.shot("model-ready")

    # 4. Create photos in two categories.
    # 16:9 is the spec's default format.
    expect(page.locator("input[name=aspect_ratio][value='16:9']")).to_be_checked()
    for category, subcategory in (("lifestyle", "working"), ("editorial", "fashion")):
        page.locator(f"label[for=cat-{category}]").click()
        # Only the chosen category's scenes are on show.
        expect(page.locator(f"#subs-{category}")).to_be_visible()
        expect(page.locator("#subs-portrait")).to_be_hidden()
        page.locator(f"label[for=sub-{category}-{subcategory}]").click()
        j.shot(f"create-{category}")
        page.get_by_role("button", name="Create My Images").click()
        if page.locator(".result--pending").count():
            j.shot(f"results-pending-{category}")
        expect(page.locator(".generation").first.locator(".result:not(.result--pending)")
               ).to_have_count(4, timeout=SLOW)
    j.check_accessibility("results")
    j.shot("results")

    # The lightbox: a full-screen overlay with keys, over the results.
    page.locator(".generation").first.locator(".result__open").first.click()
    overlay = page.locator("dialog.overlay")
    expect(overlay).to_be_visible()
    expect(overlay.locator(".overlay__count")).to_have_text("1 of 4")
    page.keyboard.press("ArrowRight")
    expect(overlay.locator(".overlay__count")).to_have_text("2 of 4")
    j.check_accessibility("results-lightbox")
    j.shot("results-lightbox", full_page=False)  # an overlay: what the screen shows
    page.keyboard.press("Escape")
    expect(overlay).to_be_hidden()

    # 5. Save and download one photo.
    # In place, without a reload; an undo right there; un-saving is its own labelled action.
    page.evaluate("window.__samePage = true")
    first = page.locator(".generation").first.locator(".result").first
    first.get_by_role("button", name="Save to Gallery").click()
    expect(first.get_by_text("Saved to your gallery")).to_be_visible()
    j.shot("saved-undo")
    first.get_by_role("button", name="Undo saving").click()
    expect(first.get_by_text("Removed from your gallery")).to_be_visible()
    first.get_by_role("button", name="Undo removing").click()
    expect(first.get_by_text("Saved to your gallery")).to_be_visible()
    assert page.evaluate("window.__samePage === true")
    page.reload()
    expect(first.get_by_text("In your gallery")).to_be_visible()
    expect(first.get_by_role("button", name="Remove from gallery")).to_be_visible()
    with page.expect_download() as download:
        page.locator(".generation").first.locator(".result").first.get_by_role(
            "link", name="Download").click()
    assert download.value.suggested_filename.startswith("sselfie-editorial-fashion-")
    j.shot("saved")

    # 6. Gallery: save a second photo, favourite, filter, ZIP, share.
    second = page.locator(".generation").nth(1).locator(".result").first
    second.get_by_role("button", name="Save to Gallery").click()
    expect(second.get_by_text("Saved to your gallery")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Gallery").click()
    expect(page.locator(".tile")).to_have_count(2)
    expect(page.locator(".bulk-bar")).to_be_hidden()  # nothing ticked yet
    j.check_accessibility("gallery")
    j.shot("gallery")
    page.locator(".tile__link").first.click()
    overlay = page.locator("dialog.overlay")
    expect(overlay).to_be_visible()
    expect(page).to_have_url(re.compile(r"/gallery/[0-9a-f-]{36}/$"))  # a deep link
    favourite = overlay.get_by_role("button", name="Favourite")
    expect(favourite).to_have_attribute("aria-pressed", "false")
    favourite.click()
    expect(favourite).to_have_attribute("aria-pressed", "true")
    j.check_accessibility("lightbox")
    j.shot("gallery-lightbox", full_page=False)
    expect(overlay.get_by_label("Link expires")).to_have_value("7")
    overlay.get_by_role("button", name="Create share link").click()
    share_url = page.locator(".share__link input").first.input_value()
    assert "/s/" in share_url
    expect(page.get_by_role("button", name="Copy link")).to_be_visible()
    j.shot("lightbox-shared")
    page.get_by_role("link", name=re.compile("Back to")).click()
    page.get_by_role("link", name="By category").click()
    expect(page.get_by_text("Editorial").first).to_be_visible()
    page.get_by_role("link", name="By date").click()
    page.get_by_role("link", name="Favourites").click()
    expect(page.locator(".tile")).to_have_count(1)
    j.shot("favourites")
    with page.expect_download() as zipped:
        page.get_by_role("link", name="Download all favourites").click()
    assert zipped.value.suggested_filename.endswith(".zip")
    j.go("/gallery/")
    for tile in page.locator(".tile__pick input").all():
        tile.check()
    expect(page.locator(".bulk-bar")).to_be_visible()
    j.shot("gallery-selected")
    with page.expect_download() as selection:
        page.get_by_role("button", name="Download ZIP").click()
    assert selection.value.suggested_filename.endswith(".zip")

    # 7. The share link works for someone who is not logged in.
    stranger = playwright_browser.new_context(viewport=VIEWPORTS[viewport])
    shared = stranger.new_page()
    response = shared.goto(share_url)
    assert response.status == 200
    assert response.headers["referrer-policy"] == "no-referrer"
    expect(shared.locator("img").first).to_be_visible()
    assert email not in shared.content()
    shared.screenshot(path=j.folder / "share-page-logged-out.png", full_page=True,
                      caret="initial")
    stranger.close()

    # 8. Delete the account (asks for the password again); the share link dies with it.
    j.go("/account/")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Confirm")).click()
    j.check_accessibility("account")
    page.get_by_role("link", name=re.compile("Delete your whole account")).click()
    page.get_by_label("Type DELETE to confirm").fill("DELETE")
    j.shot("delete-account")
    page.get_by_role("button", name=re.compile("Delete your whole account")).click()
    expect(page.get_by_text("Your account and all its data are deleted")).to_be_visible()
    j.shot("goodbye")

    gone = playwright_browser.new_context().new_page().goto(share_url)
    assert gone.status == 404
    context.close()
    assert j.problems == []
