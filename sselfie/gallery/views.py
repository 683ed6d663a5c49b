"""Gallery pages (listings and the lightbox) and the owner's image files.

Every view that takes an id goes through owned_image(): someone else's photo is a 404,
exactly like one that never existed.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from sselfie import media
from sselfie.accounts.http import AuthedRequest
from sselfie.accounts.models import Plan, Profile
from sselfie.gallery import browse, saving
from sselfie.gallery.browse import Filter
from sselfie.gallery.forms import ShareForm
from sselfie.studio.models import GeneratedImage

CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
                 "webp": "image/webp"}


def owned_image(request: AuthedRequest, pk: object) -> GeneratedImage:
    return get_object_or_404(GeneratedImage, pk=pk, owner=request.user)


def content_type(name: str) -> str:
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")


def download_name(image: GeneratedImage) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", f"{image.category} {image.subcategory}".lower()).strip("-")
    suffix = image.image.rsplit(".", 1)[-1]
    return f"sselfie-{stem}-{image.created_at:%Y%m%d}-{str(image.id)[:8]}.{suffix}"


@require_GET
def image_file(request: AuthedRequest, pk: str, kind: str) -> HttpResponseBase:
    image = owned_image(request, pk)
    if kind == "thumb":
        return media.serve(image.thumbnail, content_type="image/webp", max_age=86400)
    if kind in ("full", "download"):
        return media.serve(image.image, content_type=content_type(image.image),
                           as_attachment=kind == "download", download_name=download_name(image),
                           max_age=86400)
    raise Http404


# --- Listings ------------------------------------------------------------------------------


@require_GET
def gallery(request: AuthedRequest) -> HttpResponse:
    return _listing(request, Filter())


@require_GET
def favourites(request: AuthedRequest) -> HttpResponse:
    return _listing(request, Filter("favourites"))


@require_GET
def by_date(request: AuthedRequest) -> HttpResponse:
    return _listing(request, Filter("date"))


@require_GET
def category(request: AuthedRequest, category: str, subcategory: str = "") -> HttpResponse:
    view = Filter.from_param("/".join(filter(None, ("category", category, subcategory))))
    if view.view != "category":
        raise Http404  # not a well-formed key
    return _listing(request, view)


@require_GET
def categories(request: AuthedRequest) -> HttpResponse:
    return render(request, "gallery/categories.html", {
        "filter": Filter("category"), "shelves": browse.shelves(request.user),
        "usage": saving.usage(request.user), **_retention(),
    })


def _listing(request: AuthedRequest, view: Filter) -> HttpResponse:
    page = browse.page_of(view.images(request.user), request.GET.get("page"))
    return render(request, "gallery/gallery.html", {
        "filter": view, "page": page,
        "months": browse.by_month_and_day(list(page.object_list)) if view.view == "date" else None,
        "usage": saving.usage(request.user), **_retention(),
    })


def _retention() -> dict[str, int]:
    return {"unsaved_days": settings.GALLERY_UNSAVED_DAYS}


# --- The lightbox ---------------------------------------------------------------------------


@require_GET
def image_detail(request: AuthedRequest, pk: str) -> HttpResponse:
    image = owned_image(request, pk)
    return render_detail(request, image, Filter.from_param(request.GET.get("in")))


LIGHTBOX_PANEL = "gallery/image.html#side"  # what the overlay loads beside the photo


def render_detail(request: AuthedRequest, image: GeneratedImage, view: Filter,
                  share_form: ShareForm | None = None, status: int = 200) -> HttpResponse:
    previous, following = browse.neighbours(view, request.user, image)
    # The overlay asks for the details panel only; a direct visit gets the whole page.
    template = LIGHTBOX_PANEL if request.htmx and not share_form else "gallery/image.html"
    return render(request, template, {
        "image": image, "title": browse.title_for(image), "filter": view,
        "prompt": browse.prompt_for_person(image),
        "category_label": browse.category_label(image.category),
        "subcategory_label": browse.subcategory_label(image.category, image.subcategory),
        "previous": previous, "next": following,
        "links": image.share_links.live() if image.saved else [],
        "share_form": share_form or ShareForm(), "share_base": site_url(request),
        "purge_on": image.created_at + timedelta(days=settings.GALLERY_UNSAVED_DAYS),
        **_retention(),
    }, status=status)


def site_url(request: HttpRequest) -> str:
    """Where links we hand out point: PUBLIC_URL when set, else the host asked for."""
    return settings.PUBLIC_URL or request.build_absolute_uri("/").rstrip("/")


# --- Saving (posted from the studio's results grid and the lightbox) --------------------------


@require_POST
def save(request: AuthedRequest, pk: str) -> HttpResponse:
    image = owned_image(request, pk)
    try:
        saving.save(image)
    except saving.GalleryFull as exc:
        if request.htmx:  # in place, with the way out one click away
            return _save_state(request, image, full=True)
        # A page, not a one-line message: the way out (delete some, or a bigger plan) needs room.
        return _plans(request, str(exc), status=409)
    if request.htmx:
        image.refresh_from_db(fields=["saved", "favourite"])
        return _save_state(request, image, just="saved")
    messages.success(request, "Saved to your gallery.")
    return back(request)


def _save_state(request: AuthedRequest, image: GeneratedImage, *, just: str = "",
                full: bool = False) -> HttpResponse:
    """The save button's new state, swapped in place by htmx (no reload, with an undo)."""
    return render(request, "gallery/save_state.html#inner", {
        "image": image, "just": just, "full": full, "next": safe_next(request)})


@require_GET
def plans(request: AuthedRequest) -> HttpResponse:
    limit = Profile.for_user(request.user).plan.saved_images
    return _plans(request, f"Your plan keeps {limit} photos in your gallery.")


def _plans(request: AuthedRequest, message: str, status: int = 200) -> HttpResponse:
    return render(request, "gallery/full.html", {
        "message": message, "plans": Plan.objects.all(),
        "current": Profile.for_user(request.user).plan, **_retention(),
    }, status=status)


@require_POST
def unsave(request: AuthedRequest, pk: str) -> HttpResponse:
    image = owned_image(request, pk)
    saving.unsave(image)
    if request.htmx:
        image.refresh_from_db(fields=["saved", "favourite"])
        return _save_state(request, image, just="removed")
    messages.success(request, "Removed from your gallery. Its share links no longer open.")
    return back(request)


def safe_next(request: AuthedRequest) -> str:
    """The posted `next` when it is a page of ours, else "" (never an open redirect)."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return ""


def back(request: AuthedRequest, default: str = "workspace") -> HttpResponse:
    """Back to the page the form came from, else `default`."""
    return redirect(safe_next(request) or default)
