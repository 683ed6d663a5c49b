import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core import mail
from django.core.cache import cache
from django.test import Client

from conftest import PASSWORD
from sselfie.accounts.models import Profile, User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def signup(client: Client, email: str, password: str = PASSWORD, password2: str | None = None):
    return client.post(
        "/accounts/signup/",
        {"email": email, "password1": password, "password2": password2 or password},
    )


def test_signup_creates_user_profile_and_goes_to_onboarding(client):
    response = signup(client, "New.Person@Example.com")
    assert response.status_code == 302
    assert response["Location"] == "/profile/"
    user = User.objects.get()
    assert user.email == "new.person@example.com"
    assert Profile.objects.get(user=user).plan.is_default
    assert identify_hasher(user.password).algorithm == "argon2"


def test_signup_page_renders_with_the_studio_layout(client):
    response = client.get("/accounts/signup/")
    assert response.status_code == 200
    assert b"SSELFIE" in response.content
    assert b'name="email"' in response.content


def test_duplicate_email_in_another_case_is_refused_next_to_the_field(client, owner):
    response = signup(client, "OWNER@example.COM")
    assert response.status_code == 200
    form = response.context["form"]
    assert "email" in form.errors
    assert User.objects.filter(email__iexact="owner@example.com").count() == 1


def test_database_refuses_case_variant_duplicates(owner):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email="Owner@Example.com", public_id="zzzzzzzz")])


@pytest.mark.parametrize(
    ("password", "message"),
    [("short1", "too short"), ("password1234", "too common"), ("83920174651", "entirely numeric")],
)
def test_weak_passwords_get_a_clear_message_and_keep_the_email(client, password, message):
    response = signup(client, "keep.me@example.com", password)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get("password1", []))
    assert message in errors
    assert b'value="keep.me@example.com"' in response.content
    assert not User.objects.exists()


def test_mismatched_passwords(client):
    response = signup(client, "a@example.com", PASSWORD, PASSWORD + "x")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not User.objects.exists()


@pytest.mark.parametrize("email", ["not-an-email", "", "a@" + "x" * 300 + ".com", "<script>@x.com"])
def test_malformed_emails_are_refused(client, email):
    response = signup(client, email)
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert not User.objects.exists()


def test_login_is_case_insensitive(client, owner):
    response = client.post("/accounts/login/", {"login": "OWNER@Example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/studio/"


def test_failed_logins_are_rate_limited_per_account(client, owner):
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": "owner@example.com", "password": "x"})
        assert "too many" not in response.content.decode().lower()
    response = client.post("/accounts/login/", {"login": "owner@example.com", "password": "x"})
    assert "too many failed login attempts" in response.content.decode().lower()
    # Even the right password is refused while the limit holds.
    response = client.post("/accounts/login/", {"login": "owner@example.com", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_login_requests_are_rate_limited_per_ip(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    statuses = [
        client.post("/accounts/login/", {"login": f"u{i}@example.com", "password": "x"}).status_code
        for i in range(5)
    ]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3:] == [429, 429]


def test_logout_is_a_post(owner_client):
    response = owner_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert owner_client.get("/studio/").status_code == 302


def test_password_reset_sends_an_email_with_a_working_link(client, owner):
    response = client.post("/accounts/password/reset/", {"email": "Owner@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = next(word for word in body.split() if "/accounts/password/reset/key/" in word)
    path = link.split("testserver", 1)[-1]
    response = client.get(path, follow=True)
    assert response.status_code == 200
    new_password = "a-brand-new-long-passphrase"
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password(new_password)


def test_password_reset_does_not_reveal_unknown_emails(client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) <= 1  # allauth sends an "unknown account" note, never an error
