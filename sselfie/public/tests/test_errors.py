"""Branded error pages, each with a way back; the 500 page needs nothing that can fail."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.views.defaults import permission_denied, server_error

from conftest import logged_in


@pytest.mark.django_db
def test_a_missing_page_is_branded_with_a_way_back():
    response = Client().get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "We couldn&#x27;t find that page" in html or "We couldn't find that page" in html
    assert 'href="/studio/"' in html and 'href="/"' in html
    assert "studio.css" in html


@pytest.mark.django_db
def test_someone_elses_photo_gets_the_same_404(owner, stranger):
    from sselfie.gallery.tests.factories import make_images

    [image] = make_images(owner)
    response = logged_in(stranger).get(f"/gallery/{image.pk}/")
    assert response.status_code == 404 and "find that page" in response.content.decode()


def test_a_forbidden_page_is_branded():
    page = permission_denied(RequestFactory().get("/x/"), PermissionDenied())
    assert page.status_code == 403
    html = page.content.decode()
    assert "isn&#x27;t open to you" in html or "isn't open to you" in html
    assert 'href="/studio/"' in html


def test_the_500_page_renders_without_database_or_session():
    """No django_db mark: touching the database here would fail the test."""
    response = server_error(RequestFactory().get("/boom/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert 'href="/studio/"' in html and 'href="/"' in html
    assert "{%" not in html and "studio.css" in html


@pytest.mark.django_db
def test_a_stale_form_gets_a_branded_page_that_leads_back_to_the_form():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"login": "a@example.com", "password": "x"},
                           headers={"referer": "http://testserver/accounts/login/?next=/x/"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "That form has expired" in html and "Nothing was changed" in html
    assert 'href="http://testserver/accounts/login/?next=/x/"' in html
    assert "CSRF verification failed" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("referer", ["https://evil.example/phish", "javascript:alert(1)", ""])
def test_the_csrf_page_never_links_to_another_site(referer):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {}, headers={"referer": referer})
    html = response.content.decode()
    assert response.status_code == 403
    assert "evil.example" not in html and "javascript:" not in html
    assert '<a class="btn" href="/">' in html
