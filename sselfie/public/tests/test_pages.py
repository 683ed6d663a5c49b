"""The public pages: what a visitor, a crawler and a link preview see."""

import gzip
import re

import pytest
from django.test import Client

from conftest import logged_in
from sselfie.accounts.models import Plan

pytestmark = pytest.mark.django_db
PUBLIC_PAGES = ["/", "/terms/", "/privacy/", "/accounts/signup/", "/accounts/login/",
                "/accounts/password/reset/"]


def meta(html: str, key: str) -> str:
    found = re.search(rf'<meta (?:name|property)="{re.escape(key)}" content="([^"]*)"', html)
    assert found, f"no {key}"
    return found.group(1)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_has_a_description_and_open_graph(path):
    html = Client().get(path).content.decode()
    assert len(meta(html, "description")) > 50
    for key in ("og:title", "og:description", "og:site_name"):
        assert meta(html, key)
    assert meta(html, "og:url").startswith("http://testserver/")
    assert meta(html, "og:image").startswith("http://testserver/static/sselfie/social-card")
    assert '<link rel="apple-touch-icon" href="/apple-touch-icon.png">' in html


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_load_no_htmx(path):
    assert "htmx" not in Client().get(path).content.decode().replace("hx-headers", "")


def test_pages_that_use_htmx_still_load_it(owner):
    html = logged_in(owner).get("/studio/").content.decode()
    assert re.search(r'<script[^>]+htmx[^>]*\.js', html)
    assert '"includeIndicatorStyles": false' in html  # htmx may not inject inline styles


def test_the_landing_page_sells_in_plain_words():
    Plan.objects.update(monthly_price=29, currency="usd")
    html = Client().get("/").content.decode()
    for part in ("How it works", "Pricing", "Privacy promises", "What makes good selfies?",
                 "Who can see my photos?", "How long does it take?", "refund", "$29 / month",
                 "50 photos a day", "500 photos kept in your gallery", 'href="/terms/"',
                 'href="/privacy/"', "mailto:studio@localhost"):
        assert part in html, part
    for jargon in ("FLUX", "trigger word", "LoRA"):
        assert jargon not in html
    assert "<title>SSELFIE Studio · Professional photos of you, without the shoot</title>" in html
    # The drawn empty state while nothing is on the wall, never a stock photo.
    assert "Our wall is being curated" in html and "<svg" in html


def test_signed_in_people_go_straight_to_their_studio(owner):
    response = logged_in(owner).get("/")
    assert response.status_code == 302 and response["Location"] == "/studio/"


def test_contact_address_is_a_setting(settings):
    settings.CONTACT_EMAIL = "hello@studio.example"
    for path in ("/", "/terms/"):
        assert "mailto:hello@studio.example" in Client().get(path).content.decode()


def test_pages_are_compressed_for_browsers_that_ask():
    response = Client().get("/", headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert b"Professional photos of you" in gzip.decompress(response.content)
    assert "Content-Encoding" not in Client().get("/")


@pytest.mark.parametrize(("path", "kind"), [("/favicon.ico", "image/"),
                                            ("/apple-touch-icon.png", "image/png"),
                                            ("/robots.txt", "text/plain")])
def test_root_files_browsers_ask_for_exist(path, kind):
    response = Client().get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(kind)


def test_robots_keep_share_links_and_files_out_but_let_pages_in():
    body = b"".join(Client().get("/robots.txt").streaming_content).decode()
    assert "Disallow: /s/" in body and "Disallow: /images/" in body
    # A personal page shows a crawler the login page, nothing more: it may be crawled, and
    # Lighthouse's SEO audit (issue 15) counts a Disallow against it.
    for path in ("/accounts/", "/terms/", "/studio/", "/gallery/", "/selfies/", "/account/"):
        assert f"Disallow: {path}\n" not in body, path


def test_a_crawler_on_a_personal_page_sees_only_the_login_page():
    for path in ("/studio/", "/gallery/", "/selfies/", "/account/"):
        response = Client().get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/"), path


def test_the_login_label_is_in_sentence_case():
    html = Client().get("/accounts/login/").content.decode()
    assert "Keep me logged in" in html and "Remember Me" not in html


def test_password_pages_speak_plainly(owner):
    html = Client().get("/accounts/password/reset/").content.decode()
    assert "Forgotten your password?" in html and "Send me a link" in html
    assert "Reset My Password" not in html
    done = Client().post("/accounts/password/reset/", {"email": "owner@example.com"},
                         follow=True).content.decode()
    assert "Check your email" in done
    expired = Client().get("/accounts/password/reset/key/x-y/", follow=True).content.decode()
    assert "This link has expired" in expired and 'href="/accounts/password/reset/"' in expired
