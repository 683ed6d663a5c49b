import pytest

from sselfie.accounts.models import Profile

pytestmark = pytest.mark.django_db

ANSWERS = {
    "story": "Former lawyer, now a leadership coach.",
    "dreams": "Speak on big stages.",
    "goals": "Fill my spring cohort.",
    "style": "luxury",
    "industry": "coaching",
    "industry_other": "",
    "descriptor": "person",
}


def test_anonymous_visitors_are_sent_to_login(client):
    for url in ("/studio/", "/profile/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


def test_the_workspace_is_gated_until_onboarding_is_done(newcomer_client):
    response = newcomer_client.get("/studio/")
    assert response.status_code == 302
    assert response["Location"] == "/profile/"


def test_account_pages_stay_reachable_before_onboarding(newcomer_client):
    assert newcomer_client.get("/accounts/password/change/").status_code == 200
    assert newcomer_client.get("/profile/").status_code == 200


def test_completing_the_questionnaire_opens_the_workspace(newcomer_client, newcomer):
    page = newcomer_client.get("/profile/")
    assert b"Tell us who you are" in page.content
    response = newcomer_client.post("/profile/", ANSWERS)
    assert response.status_code == 302
    assert response["Location"] == "/studio/"
    profile = Profile.objects.get(user=newcomer)
    assert profile.is_onboarded
    assert profile.descriptor == "person"
    assert newcomer_client.get("/studio/").status_code == 200


@pytest.mark.parametrize("missing", ["story", "dreams", "goals", "style", "industry", "descriptor"])
def test_every_answer_is_required(newcomer_client, newcomer, missing):
    response = newcomer_client.post("/profile/", {**ANSWERS, missing: ""})
    assert response.status_code == 200
    assert missing in response.context["form"].errors
    assert not Profile.objects.get(user=newcomer).is_onboarded


def test_over_long_answers_get_a_message_and_keep_what_was_typed(newcomer_client, newcomer):
    answers = {**ANSWERS, "story": "s" * 2001, "dreams": "My dream stays here."}
    response = newcomer_client.post("/profile/", answers)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "at most 2000 characters" in errors["story"][0]
    assert b"My dream stays here." in response.content
    assert b"s" * 2001 in response.content


@pytest.mark.parametrize("field", ["style", "industry", "descriptor"])
def test_choices_outside_the_list_are_refused(newcomer_client, field):
    response = newcomer_client.post("/profile/", {**ANSWERS, field: "hacker"})
    assert response.status_code == 200
    assert field in response.context["form"].errors


def test_other_industry_needs_its_name(newcomer_client):
    response = newcomer_client.post("/profile/", {**ANSWERS, "industry": "other"})
    assert "industry_other" in response.context["form"].errors
    response = newcomer_client.post(
        "/profile/", {**ANSWERS, "industry": "other", "industry_other": "Perfumery"}
    )
    assert response.status_code == 302


def test_other_industry_text_is_dropped_for_listed_industries(newcomer_client, newcomer):
    newcomer_client.post("/profile/", {**ANSWERS, "industry_other": "ignored"})
    assert Profile.objects.get(user=newcomer).industry_other == ""


def test_html_in_answers_is_stored_as_text_and_escaped_where_shown(newcomer_client):
    script = "<script>alert('x')</script>"
    newcomer_client.post("/profile/", {**ANSWERS, "goals": script})
    page = newcomer_client.get("/profile/").content.decode()
    assert script not in page
    assert "&lt;script&gt;" in page


def test_posting_protected_fields_changes_nothing(owner_client, owner):
    profile = owner.profile
    plan_before, onboarded_before = profile.plan_id, profile.onboarded_at
    owner_client.post("/profile/", {**ANSWERS, "plan": 999, "onboarded_at": "2000-01-01",
                                    "user": 12345})
    profile.refresh_from_db()
    assert profile.plan_id == plan_before
    assert profile.onboarded_at == onboarded_before
    assert profile.user_id == owner.id


def test_answers_can_be_edited_later(owner_client, owner):
    page = owner_client.get("/profile/")
    assert b"Your story and style" in page.content
    assert b"I help founders tell their story." in page.content
    response = owner_client.post("/profile/", {**ANSWERS, "style": "bold"})
    assert response.status_code == 302
    owner.profile.refresh_from_db()
    assert owner.profile.style == "bold"


def test_questionnaire_requires_csrf(newcomer):
    from conftest import logged_in

    client = logged_in(newcomer)
    client.handler.enforce_csrf_checks = True
    assert client.post("/profile/", ANSWERS).status_code == 403


@pytest.mark.parametrize(("typed", "stored"), [
    ("", ""), ("  Ana  ", "Ana"), ("Ana   Lu", "Ana Lu"), ("<b>Ana</b>", "<b>Ana</b>"),
])
def test_the_name_to_greet_is_optional_and_tidied(newcomer_client, newcomer, typed, stored):
    response = newcomer_client.post("/profile/", {**ANSWERS, "display_name": typed})
    assert response.status_code == 302
    assert Profile.objects.get(user=newcomer).display_name == stored
    page = newcomer_client.get("/studio/").content.decode()
    assert "<b>Ana</b>" not in page  # shown as text, never as markup
    assert "new@example.com" not in page.split("<main")[1]


@pytest.mark.parametrize("typed", ["A" * 41, "Ana\x00", "Ana\u202eevil", "Ana\nBob\tC\x07"])
def test_oversized_or_control_character_names_are_refused(newcomer_client, newcomer, typed):
    response = newcomer_client.post("/profile/", {**ANSWERS, "display_name": typed})
    assert response.status_code == 200
    assert "display_name" in response.context["form"].errors
    assert not Profile.objects.get(user=newcomer).is_onboarded
