"""Every gallery URL × (anonymous, owner, stranger), and CSRF on every POST.

A stranger guessing ids gets 404 everywhere; the only public URLs are the share pages,
which need the token. The meta-test fails when a URL is added without a row here.
"""

import pytest
from django.test import Client
from django.urls import URLPattern

from conftest import logged_in
from sselfie.gallery import urls as gallery_urls
from sselfie.gallery.models import ShareLink
from sselfie.studio.models import GeneratedImage

LOGIN = "/accounts/login/"

# route -> (method, url template, data, owner status, stranger status, anonymous status)
MATRIX = {
    "gallery/": ("get", "/gallery/", {}, 200, 200, 302),
    "gallery/favourites/": ("get", "/gallery/favourites/", {}, 200, 200, 302),
    "gallery/favourites/download/": ("get", "/gallery/favourites/download/", {}, 200, 302, 302),
    "gallery/dates/": ("get", "/gallery/dates/", {}, 200, 200, 302),
    "gallery/categories/": ("get", "/gallery/categories/", {}, 200, 200, 302),
    "gallery/categories/<slug:category>/": (
        "get", "/gallery/categories/portrait/", {}, 200, 200, 302),
    "gallery/categories/<slug:category>/<slug:subcategory>/": (
        "get", "/gallery/categories/portrait/headshot/", {}, 200, 200, 302),
    "gallery/bulk/": ("post", "/gallery/bulk/", {"action": "favourite", "ids": "{id}"},
                      302, 302, 302),
    "gallery/plans/": ("get", "/gallery/plans/", {}, 200, 200, 302),
    "gallery/<uuid:pk>/": ("get", "/gallery/{id}/", {}, 200, 404, 302),
    "gallery/<uuid:pk>/favourite/": ("post", "/gallery/{id}/favourite/", {"favourite": "1"},
                                     302, 404, 302),
    "gallery/<uuid:pk>/delete/": ("post", "/gallery/{id}/delete/", {}, 302, 404, 302),
    "gallery/<uuid:pk>/share/": ("post", "/gallery/{id}/share/", {"expires": "7"},
                                 302, 404, 302),
    "gallery/shares/<uuid:pk>/revoke/": ("post", "/gallery/shares/{link}/revoke/", {},
                                         302, 404, 302),
    "images/<uuid:pk>/save/": ("post", "/images/{id}/save/", {}, 302, 404, 302),
    "images/<uuid:pk>/unsave/": ("post", "/images/{id}/unsave/", {}, 302, 404, 302),
    "images/<uuid:pk>/<str:kind>/": ("get", "/images/{id}/thumb/", {}, 200, 404, 302),
    "s/<str:token>/": ("get", "/s/{token}/", {}, 200, 200, 200),
    "s/<str:token>/image/": ("get", "/s/{token}/image/", {}, 200, 200, 200),
}
# The delete confirmation and the other file kinds share routes above; checked too.
EXTRA_GETS = ["/gallery/{id}/delete/", "/images/{id}/full/", "/images/{id}/download/",
              "/gallery/{id}/?in=favourites"]


def fill(template: str, photo: GeneratedImage, link: ShareLink) -> str:
    return template.format(id=photo.id, link=link.id, token=link.token)


def test_every_gallery_url_is_in_the_matrix():
    routes = {str(p.pattern) for p in gallery_urls.urlpatterns if isinstance(p, URLPattern)}
    assert routes == set(MATRIX)


@pytest.fixture
def personas(owner, stranger):
    return {"owner": logged_in(owner), "stranger": logged_in(stranger), "anonymous": Client()}


@pytest.mark.parametrize("route", MATRIX)
@pytest.mark.parametrize("who", ["anonymous", "stranger", "owner"])
def test_matrix(route, who, personas, photos, link):
    method, template, data, *expected = MATRIX[route]
    status = dict(zip(["owner", "stranger", "anonymous"], expected, strict=True))[who]
    data = {k: fill(v, photos[0], link) for k, v in data.items()}
    response = getattr(personas[who], method)(fill(template, photos[0], link), data)
    assert response.status_code == status
    if who == "anonymous" and status == 302:
        assert response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("template", EXTRA_GETS)
def test_other_kinds_and_the_confirmation_page_are_owner_only(template, personas, photo, link):
    url = fill(template, photo, link)
    assert personas["owner"].get(url).status_code == 200
    assert personas["stranger"].get(url).status_code == 404
    assert personas["anonymous"].get(url)["Location"].startswith(LOGIN)


def test_unknown_file_kind_and_bad_ids_are_404(owner_client, photo):
    assert owner_client.get(f"/images/{photo.id}/original/").status_code == 404
    for url in ["/gallery/not-a-uuid/", "/gallery/00000000-0000-0000-0000-000000000000/",
                "/images/00000000-0000-0000-0000-000000000000/thumb/",
                "/gallery/categories/Bad Key/", "/gallery/categories/-x/",
                "/gallery/shares/00000000-0000-0000-0000-000000000000/revoke/"]:
        assert owner_client.get(url).status_code in (404, 405), url


def test_stranger_actions_change_nothing(stranger_client, photos, link):
    photo = photos[0]
    for url, data in [(f"/gallery/{photo.id}/favourite/", {"favourite": "1"}),
                      (f"/gallery/{photo.id}/delete/", {}),
                      (f"/gallery/{photo.id}/share/", {}),
                      (f"/gallery/shares/{link.id}/revoke/", {}),
                      (f"/images/{photo.id}/unsave/", {})]:
        assert stranger_client.post(url, data).status_code == 404
    for action in ("favourite", "delete", "unfavourite"):
        stranger_client.post("/gallery/bulk/", {"action": action, "confirm": "yes",
                                                "ids": [str(p.id) for p in photos]})
    fresh = GeneratedImage.objects.get(pk=photo.pk)
    assert (fresh.saved, fresh.favourite) == (True, False)
    assert GeneratedImage.objects.filter(owner=photo.owner).count() == 3
    assert ShareLink.objects.live().filter(pk=link.pk).exists()
    assert ShareLink.objects.count() == 1


def test_stranger_listings_never_show_the_owners_photos(stranger_client, photos):
    for url in ["/gallery/", "/gallery/favourites/", "/gallery/dates/", "/gallery/categories/",
                "/gallery/categories/portrait/headshot/"]:
        body = stranger_client.get(url).content.decode()
        assert not any(str(p.id) in body for p in photos), url
    assert "No saved photos yet" in stranger_client.get("/gallery/").content.decode()


POSTS = [(route, spec) for route, spec in MATRIX.items() if spec[0] == "post"]


@pytest.mark.parametrize(("route", "spec"), POSTS, ids=[r for r, _ in POSTS])
def test_every_post_needs_the_csrf_token(route, spec, owner, photos, link):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    _, template, data, *_ = spec
    data = {k: fill(v, photos[0], link) for k, v in data.items()}
    url = fill(template, photos[0], link)
    assert client.post(url, data).status_code == 403
    fresh = GeneratedImage.objects.get(pk=photos[0].pk)
    assert (fresh.saved, fresh.favourite) == (True, False)
    assert ShareLink.objects.live().count() == 1
    # The same request with the token goes through.
    client.get(f"/gallery/{photos[0].id}/")
    token = client.cookies["csrftoken"].value
    assert client.post(url, data, headers={"X-CSRFToken": token}).status_code == 302
