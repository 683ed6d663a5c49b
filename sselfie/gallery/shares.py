"""Share links: the owner creates and revokes them; anyone holding the token sees one photo.

The public side shows the photo and nothing else: no email, no prompt, no image id. Its
responses are never cached, indexed, or leaked onward through a Referer header.
"""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from sselfie import media
from sselfie.accounts.http import AuthedRequest
from sselfie.gallery.browse import Filter
from sselfie.gallery.forms import ShareForm
from sselfie.gallery.models import MAX_TOKEN_CHARS, ShareLink
from sselfie.gallery.views import content_type, owned_image, render_detail, site_url

TOKEN_SHAPE = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_TOKEN_CHARS}}}")


def owned_link(request: AuthedRequest, pk: str) -> ShareLink:
    return get_object_or_404(ShareLink, pk=pk, image__owner=request.user)


@require_POST
def create(request: AuthedRequest, pk: str) -> HttpResponse:
    image = owned_image(request, pk)
    view = Filter.from_param(request.POST.get("in"))
    detail = reverse("gallery_image", args=[image.pk]) + view.query + "#share"
    if not image.saved:
        messages.error(request, "Save this photo to your gallery before sharing it.")
        return redirect(detail)
    form = ShareForm(request.POST)
    if not form.is_valid():
        return render_detail(request, image, view, share_form=form, status=400)
    ShareLink.create_for(image, form.cleaned_data["expires"])
    messages.success(request, "Share link created. Anyone with the link can see this photo "
                              "until it expires or you revoke it.")
    return redirect(detail)


@require_POST
def revoke(request: AuthedRequest, pk: str) -> HttpResponse:
    link = owned_link(request, pk)
    link.revoke()
    messages.success(request, "Share link revoked. It no longer opens.")
    return redirect(reverse("gallery_image", args=[link.image_id]) + "#share")


def live_link(token: str) -> ShareLink:
    # Checked before the query: junk (a NUL byte, megabytes) never reaches the database.
    if not TOKEN_SHAPE.fullmatch(token):
        raise Http404
    return get_object_or_404(ShareLink.objects.live().select_related("image"), token=token)


@login_not_required
@require_GET
def page(request: HttpRequest, token: str) -> HttpResponse:
    link = live_link(token)
    site = site_url(request)
    return _unlisted(render(request, "gallery/shared.html", {
        "image": link.image, "hide_brand_in_title": True,
        # Open Graph needs absolute URLs; both carry the token, never the photo's id.
        "image_url": site + reverse("share_image", args=[token]),
        "page_url": site + reverse("share_page", args=[token]),
    }))


@login_not_required
@require_GET
def image(request: HttpRequest, token: str) -> HttpResponseBase:
    shared = live_link(token).image
    suffix = shared.image.rsplit(".", 1)[-1]
    # Streamed even from S3: the token is checked on every request, no bucket URL leaks.
    return _unlisted(media.serve(shared.image, content_type=content_type(shared.image),
                                 download_name=f"sselfie-photo.{suffix}", public_share=True))


def _unlisted[R: HttpResponseBase](response: R) -> R:
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow, noimageindex"
    response["Cache-Control"] = "no-store"
    return response
