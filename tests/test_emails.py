"""Every email the studio sends: branded HTML plus plain text, with absolute links that
point at PUBLIC_URL, the request's host, or (from the worker) 127.0.0.1:$PORT."""

import re
import subprocess
import sys

import pytest
from django.core import mail
from django.test import Client

from conftest import PASSWORD, make_user
from sselfie import mail as studio_mail
from sselfie.privacy.export import build, request_export
from tests.test_settings import ROOT

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https?://[^\s\"<]+")


def assert_branded(email: mail.EmailMessage) -> str:
    """The email's HTML, after checking both parts are complete and ours."""
    assert email.subject.startswith("SSELFIE Studio · ")
    [(html, kind)] = email.alternatives
    assert kind == "text/html"
    assert html.lstrip().startswith("<!doctype html>") and "SSELFIE" in html
    for body in (email.body, html):
        assert "{%" not in body and "{{" not in body
        assert "Hello from" not in body and "example.com!" not in body
        assert "mailto:" in html or "Write to" in body
    return html


def links(text: str) -> list[str]:
    return [link for link in LINK.findall(text) if "/static/" not in link]


def test_signup_confirmation_is_branded_and_links_to_the_request_host(settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    Client().post("/accounts/signup/", {"email": "new@example.com", "password1": PASSWORD,
                                        "password2": PASSWORD})
    [email] = mail.outbox
    html = assert_branded(email)
    assert email.subject == "SSELFIE Studio · Confirm your email address"
    assert "Welcome to SSELFIE Studio" in email.body and "Confirm my email" in html
    confirm = [link for link in links(email.body) if "/accounts/confirm-email/" in link]
    assert confirm and confirm[0].startswith("http://testserver/")
    assert confirm[0] in html
    response = Client().get(confirm[0].removeprefix("http://testserver"))
    assert response.status_code == 200  # the link works


def test_links_use_public_url_when_it_is_set(settings):
    settings.PUBLIC_URL = "https://studio.example.com"
    make_user("owner@example.com")
    Client().post("/accounts/password/reset/", {"email": "owner@example.com"})
    [email] = mail.outbox
    html = assert_branded(email)
    reset = [link for link in links(email.body) if "/password/reset/key/" in link]
    assert reset and reset[0].startswith("https://studio.example.com/accounts/password/reset/")
    assert all(link.startswith("https://studio.example.com/") for link in links(html))


def test_unknown_and_existing_accounts_get_branded_notes(settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"  # then a taken address gets a note
    Client().post("/accounts/password/reset/", {"email": "nobody@example.com"})
    make_user("taken@example.com")
    Client().post("/accounts/signup/", {"email": "taken@example.com", "password1": PASSWORD,
                                        "password2": PASSWORD})
    unknown, exists = mail.outbox
    assert "no SSELFIE Studio account" in unknown.body
    assert "http://testserver/accounts/signup/" in assert_branded(unknown)
    assert "already have a SSELFIE Studio account" in exists.body
    assert "http://testserver/accounts/login/" in assert_branded(exists)


def test_the_worker_links_to_this_machine_when_there_is_no_public_url(settings, owner,
                                                                        tmp_path):
    settings.PUBLIC_URL = ""
    settings.FALLBACK_SITE_URL = "http://127.0.0.1:8123"
    build(str(request_export(owner).pk))
    [email] = mail.outbox
    html = assert_branded(email)
    assert "http://127.0.0.1:8123/account/" in email.body
    assert email.reply_to == ["studio@localhost"]  # CONTACT_EMAIL: replies reach a person
    assert 'href="http://127.0.0.1:8123/account/"' in html
    assert studio_mail.site_url() == "http://127.0.0.1:8123"


@pytest.mark.parametrize(("port", "expected"), [("", "http://127.0.0.1:8000"),
                                                ("8080", "http://127.0.0.1:8080")])
def test_the_fallback_follows_the_port_make_run_serves(tmp_path, port, expected):
    code = "from django.conf import settings; print(settings.FALLBACK_SITE_URL)"
    env = {"VAR_DIR": str(tmp_path), "PORT": port, "PATH": "/usr/bin:/bin",
           "DJANGO_SETTINGS_MODULE": "sselfie.settings"}
    result = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == expected, result.stderr


def test_a_missing_preview_file_never_stops_an_email(owner):
    assert studio_mail.preview("selfies/gone.webp", "x@sselfie.studio") is None
