from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from sselfie import media
from sselfie.accounts.http import AuthedRequest
from sselfie.accounts.models import Plan
from sselfie.public import showcase
from sselfie.public.models import CONSENT_WORDING, DisplayConsent, ShowcaseEntry
from sselfie.studio.models import GeneratedImage
from sselfie.studio.prompts import load_catalog

# A revoked photo disappears from the page at once; a browser that already holds the
# picture may keep it this long, no longer.
SHOWCASE_MAX_AGE = 60


@login_not_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("workspace")
    wall = showcase.wall()
    return render(request, "public/home.html", {
        "lead_photos": wall[:3], "wall": wall[3:], "has_photos": bool(wall),
        "plans": Plan.objects.filter(is_public=True), "categories": load_catalog().categories,
        "hide_brand_in_title": True,
    })


@login_not_required
@require_GET
def terms(request: HttpRequest) -> HttpResponse:
    return render(request, "public/terms.html")


@login_not_required
@require_GET
def showcase_photo(request: HttpRequest, pk: str) -> HttpResponseBase:
    entry = ShowcaseEntry.objects.live().select_related("image").filter(pk=pk).first()
    if entry is None:
        raise Http404("Not on the showcase")
    # Streamed by us, never a bucket URL: consent is checked on every request.
    response = media.serve(entry.image.thumbnail, content_type="image/webp",
                           public_share=True, max_age=SHOWCASE_MAX_AGE)
    response["Cache-Control"] = f"public, max-age={SHOWCASE_MAX_AGE}"
    return response


@require_POST
def showcase_consent(request: AuthedRequest, pk: str) -> HttpResponse:
    """The owner allows (show=1) or takes back (show=0) public display of one saved photo."""
    image = get_object_or_404(GeneratedImage.objects.owned_by(request.user), pk=pk, saved=True)
    if request.POST.get("show") == "1":
        showcase.grant(image)
        messages.success(request, "Thank you. This photo may now appear on our homepage; "
                                  "you can take it back here at any time.")
    elif request.POST.get("show") == "0":
        if showcase.revoke(image):
            messages.success(request, "Done. This photo is no longer shown publicly.")
    else:
        return HttpResponse("Choose show=1 or show=0.", status=400, content_type="text/plain")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()},
                                           require_https=request.is_secure()):
        target = ""
    return redirect(target or "gallery_image", *([] if target else [image.pk]))


@require_GET
def my_showcase(request: AuthedRequest) -> HttpResponse:
    """Settings: every photo the person allowed us to show, each with a way to take it back."""
    consents = DisplayConsent.objects.live().filter(owner=request.user).select_related("image")
    featured = set(ShowcaseEntry.objects.live().filter(image__owner=request.user)
                   .values_list("image_id", flat=True))
    rows = [(consent, consent.image_id in featured) for consent in consents]
    return render(request, "public/my_showcase.html", {"rows": rows, "wording": CONSENT_WORDING})
