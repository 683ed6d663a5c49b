import pytest

from sselfie.accounts.models import User
from sselfie.studio.models import PromptTemplate

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client):
    operator = User.objects.create_superuser("ops@example.com", "an-operator-passphrase")
    client.force_login(operator)
    return client


def test_every_subcategory_has_an_editable_template(operator_client):
    assert PromptTemplate.objects.count() == 17
    page = operator_client.get("/admin/studio/prompttemplate/")
    assert page.status_code == 200 and "magazine_cover" in page.content.decode()


def test_operators_edit_a_template_and_it_is_used(operator_client, owner, trained):
    from sselfie.studio.generation import prompt_for

    row = PromptTemplate.objects.get(category="portrait", subcategory="headshot")
    text = ("{trigger} {subject} in a rooftop headshot at dusk, {wardrobe}, {lighting} light, "
            "{pose}, shot on an 85mm lens")
    response = operator_client.post(f"/admin/studio/prompttemplate/{row.pk}/change/",
                                    {"template": text})
    assert response.status_code == 302
    prompt = prompt_for(owner.profile, trained, "portrait", "headshot")
    assert "rooftop headshot at dusk" in prompt
    assert prompt.count(trained.trigger_word) == 1


@pytest.mark.parametrize("bad", [
    "{subject} without the trigger, {lighting}, {pose}",
    "{trigger} {trigger} twice {subject} {lighting} {pose}",
    "{trigger} woman on a beach, {lighting}, {pose}",
    "{trigger} {subject} {lighting} {pose} {subject.__class__}",
])
def test_broken_templates_are_refused_with_a_message(operator_client, bad):
    row = PromptTemplate.objects.get(category="lifestyle", subcategory="travel")
    before = row.template
    response = operator_client.post(f"/admin/studio/prompttemplate/{row.pk}/change/",
                                    {"template": bad})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    row.refresh_from_db()
    assert row.template == before
