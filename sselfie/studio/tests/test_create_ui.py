"""The step-led workspace and the visual generator: what a person sees at each step, and
the category/scene cards that can never post a scene of another category."""

import re

import pytest

from sselfie.accounts.models import Profile
from sselfie.studio.models import Generation
from sselfie.training.models import Training

pytestmark = pytest.mark.django_db

LONG_EMAIL = "journeyphone" + "x" * 36 + "@example.com"  # 60 characters, no hyphen


def create(client, model, **fields):
    return client.post("/studio/generate/", {"model": str(model.pk), "aspect_ratio": "16:9",
                                             **fields})


def checked(page: str, name: str) -> list[str]:
    """The values of the checked radios called `name`."""
    found = re.findall(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', page)
    return [re.search(r'value="([^"]*)"', tag).group(1) for tag in found if " checked" in tag]


def test_the_scene_of_the_chosen_category_is_the_one_used(owner_client, owner, trained):
    # A scene left picked in Lifestyle's card while Portrait is chosen is ignored.
    response = create(owner_client, trained, category="portrait", **{
        "sub-lifestyle": "travel", "sub-portrait": "creative", "sub-luxury": "yacht"})
    assert response.status_code == 302
    gen = Generation.objects.get(owner=owner)
    assert (gen.category, gen.subcategory, gen.aspect_ratio) == ("portrait", "creative", "16:9")


@pytest.mark.parametrize("fields", [
    {"category": "portrait"},  # no scene at all
    {"category": "portrait", "sub-portrait": "yacht"},  # a scene of another category
    {"category": "portrait", "sub-portrait": "<script>alert(1)</script>"},
    {"category": "portrait", "sub-portrait": "x" * 5000},
    {"category": "portrait", "sub-lifestyle": "working"},  # only another card's scene
    {"category": "nope", "sub-nope": "working"},
])
def test_hostile_or_incomplete_choices_are_refused_and_cost_nothing(owner_client, owner,
                                                                    trained, fields):
    response = create(owner_client, trained, **fields)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="errorlist' in page and "<script>alert" not in page
    assert Profile.objects.get(user=owner).images_used == 0
    assert not Generation.objects.exists()


def test_a_refused_form_keeps_what_was_picked(owner_client, owner, trained):
    page = create(owner_client, trained, category="luxury", aspect_ratio="9:16",
                  **{"sub-luxury": "nowhere"}).content.decode()
    assert checked(page, "category") == ["luxury"]
    assert checked(page, "aspect_ratio") == ["9:16"]


def test_cards_start_on_the_spec_defaults_with_one_scene_per_card(owner_client, trained):
    page = owner_client.get("/studio/").content.decode()
    assert checked(page, "aspect_ratio") == ["16:9"]  # the spec's default format
    assert len(checked(page, "category")) == 1
    for category, first in [("lifestyle", "working"), ("editorial", "magazine_cover"),
                            ("portrait", "headshot"), ("story", "journey"),
                            ("luxury", "yacht")]:
        assert checked(page, f"sub-{category}") == [first], category
    # Each card draws its placeholder until the showcase provides a sample.
    assert page.count('class="cat-art__svg"') == 5
    assert "<select" not in page.split('id="generator"')[1].split("</form>")[0]


def test_the_workspace_leads_with_the_current_step(owner_client, owner, settings):
    settings.REPLICATE_API_TOKEN = "r8_test"
    page = owner_client.get("/studio/").content.decode()
    current = re.search(r'<li class="stepper__step stepper__step--current" aria-current="step">'
                        r'.*?</li>', page, re.S).group(0)
    assert "Selfies" in current
    assert page.index("Upload your selfies") < page.index("Plan &amp; limits")


def test_the_generator_and_results_lead_once_the_model_is_ready(owner_client, owner, trained):
    create(owner_client, trained, category="portrait", **{"sub-portrait": "headshot"})
    page = owner_client.get("/studio/").content.decode()
    assert 'aria-current="step">' in page and "Create" in page
    main = page.split('class="workspace__main"')[1].split('class="workspace__side"')[0]
    assert main.index("Create My Images") < main.index("Your latest photos")
    assert 'id="gen-' in main  # the new generation sits right under Create
    # Its photos are on their way: four placeholder tiles in the photos' own shape.
    assert main.count("result--pending") == 4 and "ratio-16-9" in main
    assert trained.trigger_word not in page


def test_greeting_uses_the_name_and_never_the_email(owner, settings):
    from conftest import logged_in, make_user

    settings.REPLICATE_API_TOKEN = "r8_test"
    user = make_user(LONG_EMAIL)
    client = logged_in(user)
    page = client.get("/studio/").content.decode()
    assert "Welcome back<" in page and LONG_EMAIL not in page
    Profile.objects.filter(user=user).update(display_name="Ana")
    assert "Welcome back, Ana" in client.get("/studio/").content.decode()


def test_a_used_up_training_allowance_reads_as_a_fact_not_an_error(owner_client, owner, trained):
    Training.objects.create(owner=owner, personal_model=trained, zip_sha256="0" * 64,
                            photo_count=10, trainer_version="x/y:z", steps=1000,
                            state="succeeded")
    page = owner_client.get("/studio/").content.decode()
    side = page.split('class="workspace__side"')[1]
    assert "1 of 1 per 24 hours" in side and "meter--full" in side
    assert "that's expected after a training" in side
    assert 'role="alert"' not in side
