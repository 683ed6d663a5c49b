"""What the owner does to photos: favourite, delete, bulk actions, ZIP downloads."""

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sselfie.accounts.http import AuthedRequest
from sselfie.gallery import archive, browse, retention, saving
from sselfie.gallery.browse import Filter
from sselfie.gallery.forms import SelectionTooLarge, selected_ids
from sselfie.gallery.views import back, download_name, owned_image, safe_next
from sselfie.studio.models import GeneratedImage

BULK_ACTIONS = ("favourite", "unfavourite", "download", "delete")


@require_POST
def favourite(request: AuthedRequest, pk: str) -> HttpResponse:
    """Set (not flip) the favourite flag, so a double click can't undo itself."""
    image = owned_image(request, pk)
    wanted = request.POST.get("favourite") == "1"
    if saving.set_favourite(request.user.pk, [image.pk], wanted):
        image.favourite = wanted
    if request.htmx:
        return render(request, "gallery/image.html#favourite", {"image": image})
    return back(request, default=reverse("gallery_image", args=[image.pk]))


@require_http_methods(["GET", "POST"])
def delete(request: AuthedRequest, pk: str) -> HttpResponse:
    """GET asks to confirm; POST deletes the row, its share links and its files."""
    image = owned_image(request, pk)
    view = Filter.from_param(request.POST.get("in") or request.GET.get("in"))
    if request.method == "GET":
        return render(request, "gallery/delete.html", {
            "images": [image], "filter": view,
            "action": reverse("gallery_delete", args=[image.pk]),
            "cancel": reverse("gallery_image", args=[image.pk]) + view.query,
        })
    _, following = browse.neighbours(view, request.user, image)  # where to go afterwards
    retention.delete_images(GeneratedImage.objects.filter(pk=image.pk))
    messages.success(request, "Photo deleted.")
    if following:
        return redirect(reverse("gallery_image", args=[following]) + view.query)
    return redirect(view.url)


@require_POST
def bulk(request: AuthedRequest) -> HttpResponseBase:
    """The grid's one form: checked photos plus the button that was pressed."""
    action = request.POST.get("action")
    try:
        ids = selected_ids(request.POST.getlist("ids"))
    except SelectionTooLarge:
        return HttpResponseBadRequest("Too many photos selected at once.")
    if action not in BULK_ACTIONS:
        return HttpResponseBadRequest("Unknown action.")
    # Owner-scoped: ids of someone else's photos simply match nothing.
    chosen = GeneratedImage.objects.owned_by(request.user).filter(saved=True, pk__in=ids)
    if action == "download":
        return zip_response(chosen, "selection") or _nothing(request)
    if action == "delete":
        return _bulk_delete(request, chosen)
    done = saving.set_favourite(request.user.pk, ids, action == "favourite")
    if not done:
        return _nothing(request)
    verb = "added to" if action == "favourite" else "removed from"
    messages.success(request, f"{done} photo{'s' if done != 1 else ''} {verb} favourites.")
    return back(request, default=reverse("gallery"))


def _bulk_delete(request: AuthedRequest, chosen: QuerySet[GeneratedImage]) -> HttpResponse:
    if request.POST.get("confirm") != "yes":
        images = list(chosen.order_by(*browse.ORDER).only(*browse.TILE_FIELDS))
        if not images:
            return _nothing(request)
        view = Filter.from_param(request.POST.get("in"))
        return render(request, "gallery/delete.html", {
            "images": images, "filter": view, "bulk": True, "action": reverse("gallery_bulk"),
            "next": safe_next(request), "cancel": safe_next(request) or view.url,
        })
    done = retention.delete_images(chosen)
    messages.success(request, f"{done} photo{'s' if done != 1 else ''} deleted.")
    return back(request, default=reverse("gallery"))


def _nothing(request: AuthedRequest) -> HttpResponse:
    messages.info(request, "Select at least one of your photos first.")
    return back(request, default=reverse("gallery"))


@require_GET
def favourites_zip(request: AuthedRequest) -> HttpResponseBase:
    response = zip_response(Filter("favourites").images(request.user), "favourites")
    if response is None:
        messages.info(request, "You have no favourites to download yet.")
        return redirect("gallery_favourites")
    return response


def zip_response(images: QuerySet[GeneratedImage], what: str) -> HttpResponseBase | None:
    """A streamed ZIP of `images`, or None when there are none. Rows are read here, in the
    request; only file bytes are read while the archive streams."""
    rows = list(images.order_by(*browse.ORDER).only(
        "id", "category", "subcategory", "image", "created_at"))
    if not rows:
        return None
    entries = [archive.Entry(download_name(i), i.image, i.created_at) for i in rows]
    stamp = timezone.localdate().strftime("%Y-%m-%d")
    return archive.response(entries, f"sselfie-{what}-{stamp}-{len(rows)}-photos.zip")
