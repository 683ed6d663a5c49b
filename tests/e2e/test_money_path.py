"""The money path, in a real Chromium against the studio as `make run` runs it, with the
Stripe stand-in's hosted pages and its webhooks over HTTP:

reach the daily limit -> Upgrade -> pay on the checkout page -> back in the studio with the
new limits -> Portal -> cancel -> at the period's end, back to the default plan.
"""

import re
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, studio_shell

pytestmark = pytest.mark.e2e

PASSWORD = "a-long-and-private-passphrase"
CHROME_4XX = re.compile(r"Failed to load resource: the server responded with a status of 4\d\d")
DAY = 24 * 3600


def arrange(env: dict[str, str], fake_provider, email: str) -> None:
    """A sellable Pro plan, a trained model, and today's allowance used up."""
    public_id = studio_shell(env, f"""
from sselfie.accounts.models import Plan, Profile, User
from sselfie.accounts.quota import today_utc
Plan.objects.update_or_create(name="Pro", defaults=dict(
    monthly_price=29, stripe_price_id="price_e2e_pro", images_per_day=200,
    trainings_per_day=3, saved_images=2000))
user = User.objects.get(email="{email}")
profile = Profile.for_user(user)
Profile.objects.filter(pk=profile.pk).update(images_day=today_utc(),
                                             images_used=profile.plan.images_per_day)
print(user.public_id)
""").strip().splitlines()[-1]
    name = f"user-{public_id}-selfie-lora"
    fake_provider.add_model(name)
    version = fake_provider.add_version("sselfie", name)
    studio_shell(env, f"""
from sselfie.accounts.models import User
from sselfie.training.models import PersonalModel
PersonalModel.objects.create(
    owner=User.objects.get(email="{email}"), replicate_owner="sselfie", replicate_name="{name}",
    trigger_word="user_{public_id}_trigger", version="sselfie/{name}:{version}",
    training_status="succeeded")
""")


def test_the_money_path(studio, studio_env, fake_provider, fake_payments, playwright_browser):
    folder = ARTIFACTS / "money"
    folder.mkdir(parents=True, exist_ok=True)
    context = playwright_browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console: {m.text[:160]}")
            if m.type == "error" and not CHROME_4XX.match(m.text) else None)
    page.on("response", lambda r: problems.append(f"{r.status} from {r.url}")
            if r.status >= 500 or (r.status >= 400 and not (
                r.status == 429 and r.url.endswith("/studio/generate/"))) else None)
    step = iter(range(1, 100))

    def shot(name: str) -> None:
        page.screenshot(path=folder / f"{next(step):02d}-{name}.png", full_page=True,
                        caret="initial")

    email = f"money-{time.time_ns()}@example.com"
    page.goto(studio + "/accounts/signup/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again):").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    page.get_by_label("Your story").fill("Photographer turned founder.")
    page.get_by_label("Your dreams").fill("A studio people love.")
    page.get_by_label("Your goals").fill("Launch in spring.")
    page.get_by_label(re.compile("Luxury: polished")).check()
    page.get_by_label("Industry:", exact=True).select_option("fitness")
    page.get_by_label("A person (no gender)").check()
    page.get_by_role("button", name="Enter my studio").click()
    expect(page.get_by_role("heading", name="Your studio")).to_be_visible()
    arrange(studio_env, fake_provider, email)

    # 1. The daily limit, and the way up from it.
    page.reload()
    page.get_by_role("button", name="Create My Images").click()
    expect(page.get_by_role("heading", name=re.compile("limit|today", re.I))).to_be_visible()
    shot("daily-limit")
    page.get_by_role("button", name="Upgrade to Pro").click()

    # 2. Stripe's (stand-in's) hosted checkout: the card is typed there, never here.
    expect(page).to_have_url(re.compile(re.escape(fake_payments.origin) + "/c/pay/"))
    shot("checkout")
    page.get_by_role("button", name="Pay and subscribe").click()

    # 3. Back in the studio, where they were, with the new limits in force.
    expect(page).to_have_url(re.compile(re.escape(studio) + "/studio/"))
    expect(page.get_by_text("Welcome to Pro. Your new limits apply now.")).to_be_visible()
    expect(page.get_by_text("50 of 200 today (UTC)")).to_be_visible()
    shot("upgraded")
    page.get_by_role("button", name="Create My Images").click()
    expect(page.locator(".generation").first).to_be_visible()
    assert "/studio/" in page.url

    # 4. The Portal: cancel. The paid plan stays until the period's end.
    page.get_by_role("button", name="Manage plan and payment").click()
    expect(page).to_have_url(re.compile(re.escape(fake_payments.origin) + "/p/session/"))
    page.get_by_role("button", name="Cancel plan").click()
    expect(page.get_by_text("ends at the end of this period")).to_be_visible()
    shot("portal-canceled")
    page.get_by_role("link", name="Return to the studio").click()
    assert fake_payments.wait_for_webhooks()
    page.reload()
    expect(page.locator(".plan-card__plan").get_by_text("Pro plan", exact=True)).to_be_visible()

    # 5. The period ends at Stripe: its webhook puts the default plan back.
    fake_payments.travel(31 * DAY)
    assert fake_payments.wait_for_webhooks()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        page.reload()
        if page.locator(".plan-card__plan").get_by_text("Pro plan", exact=True).count() == 0:
            break
        time.sleep(0.5)
    expect(page.locator(".plan-card__plan").get_by_text("Studio plan", exact=True)).to_be_visible()
    # The 4 made while on Pro still count today; the limit is the default plan's again.
    expect(page.get_by_text("54 of 50 today (UTC)")).to_be_visible()
    shot("back-to-default")
    statuses = {d.status for d in fake_payments.deliveries}
    assert statuses == {200}, fake_payments.deliveries
    context.close()
    assert problems == []
