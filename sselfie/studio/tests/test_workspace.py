import pytest

from sselfie.accounts.models import Plan

pytestmark = pytest.mark.django_db


def test_landing_page_is_public(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Create my studio" in response.content


def test_landing_sends_members_to_their_workspace(owner_client):
    response = owner_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/studio/"


def test_workspace_shows_profile_model_card_locked_generator_and_empty_gallery(
    owner_client, settings
):
    settings.REPLICATE_API_TOKEN = "r8_test"
    page = owner_client.get("/studio/").content.decode()
    assert "Minimal" in page and "Coaching" in page
    assert "Upload your selfies" in page
    assert "The generator opens once your personal model is trained" in page
    assert "No saved photos yet" in page


def test_usage_meters_follow_the_plan(owner_client, owner):
    page = owner_client.get("/studio/").content.decode()
    assert "0 of 1 per 24 hours" in page
    assert "0 of 50 today (UTC)" in page
    assert "0 of 500 in total" in page
    Plan.objects.filter(pk=owner.profile.plan_id).update(images_per_day=120)
    assert "0 of 120 today (UTC)" in owner_client.get("/studio/").content.decode()


def test_workspace_says_which_features_need_the_replicate_token(owner_client, settings):
    settings.REPLICATE_API_TOKEN = ""
    page = owner_client.get("/studio/").content.decode()
    assert "REPLICATE_API_TOKEN" in page
    assert "Creating photos needs the studio" in page
    settings.REPLICATE_API_TOKEN = "r8_test"
    assert "REPLICATE_API_TOKEN" not in owner_client.get("/studio/").content.decode()


def test_pages_carry_a_nonce_based_csp(owner_client):
    first = owner_client.get("/studio/")
    second = owner_client.get("/studio/")
    policy = first["Content-Security-Policy"]
    assert "object-src 'none'" in policy and "base-uri 'none'" in policy
    assert "frame-ancestors 'none'" in policy and "'nonce-" in policy
    assert policy != second["Content-Security-Policy"]
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in first.content.decode()


def test_htmx_is_served_locally(owner_client):
    page = owner_client.get("/studio/").content.decode()  # the landing page loads no htmx
    assert "/static/django_htmx/htmx-2" in page
    assert "://" not in page.split("<script")[1].split(">")[0]
