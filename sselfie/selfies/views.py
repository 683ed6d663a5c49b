from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from sselfie import limits, media
from sselfie.accounts.consent import CONSENT_VERSION, has_consented
from sselfie.accounts.http import AuthedRequest
from sselfie.selfies import intake
from sselfie.selfies.coach import coach_for
from sselfie.selfies.forms import ACCEPT, UploadForm
from sselfie.selfies.models import Selfie

PAGE = "selfies/selfies.html"


def page_context(request: AuthedRequest, form: UploadForm | None = None) -> dict:
    return {
        "consented": has_consented(request.user),
        "consent_version": CONSENT_VERSION,
        "coach": coach_for(request.user),
        "form": form or UploadForm(),
        "accept": ACCEPT,
        "max_mb": settings.SELFIE_MAX_BYTES // (1024 * 1024),
    }


def owned_selfie(request: AuthedRequest, pk: str) -> Selfie:
    """The one way views reach a selfie: someone else's id is a 404."""
    return get_object_or_404(Selfie, pk=pk, owner=request.user)


def selfies(request: AuthedRequest) -> HttpResponse:
    """The upload page. Without JavaScript, the form posts every chosen file here at once."""
    form = UploadForm(request.POST or None, request.FILES or None,
                      skipped=limits.skipped_files(request))
    if request.method == "POST":
        if not has_consented(request.user):
            return _consent_first(request)
        verdicts = [intake.take_upload(request.user, f) for f in form.files_or_errors()]
        _summarise(request, form, verdicts)
        return redirect("selfies")
    return render(request, PAGE, page_context(request, form))


@require_POST
def upload(request: AuthedRequest) -> HttpResponse:
    """One or more photos from the page's uploader; answers with a verdict card per file."""
    if not has_consented(request.user):
        return _consent_first(request)
    form = UploadForm(request.POST, request.FILES, skipped=limits.skipped_files(request))
    files = form.files_or_errors()
    if not files:
        return render(request, f"{PAGE}#form-errors", {"form": form}, status=400)
    verdicts = [intake.take_upload(request.user, f) for f in files]
    status = 201 if all(v.accepted for v in verdicts) else 422
    response = render(request, f"{PAGE}#verdicts", {"verdicts": verdicts}, status=status)
    response["HX-Trigger"] = "selfies-changed"
    return response


@require_POST
def delete(request: AuthedRequest, pk: str) -> HttpResponse:
    intake.remove(owned_selfie(request, pk))
    if request.htmx:
        response = HttpResponse("")
        response["HX-Trigger"] = "selfies-changed"
        return response
    messages.success(request, "Photo removed.")
    return redirect("selfies")


@require_POST
def replace(request: AuthedRequest, pk: str) -> HttpResponse:
    """Swap a photo for a new one; the old one goes only if the new one is accepted."""
    old = owned_selfie(request, pk)
    if not has_consented(request.user):
        return _consent_first(request)
    form = UploadForm(request.POST, request.FILES, skipped=limits.skipped_files(request))
    files = form.files_or_errors()
    if len(files) != 1:
        messages.error(request, "Choose exactly one photo to replace it with.")
        return redirect("selfies")
    verdict = intake.take_upload(request.user, files[0], replacing=old)
    if verdict.accepted:
        messages.success(request, f"Replaced with {verdict.name}.")
    else:
        messages.error(request, f"{verdict.name}: {verdict.problems[0].message} "
                                f"{verdict.problems[0].hint} Your old photo is still in your set.")
    return redirect("selfies")


@require_GET
def coach(request: AuthedRequest) -> HttpResponse:
    return render(request, f"{PAGE}#board", page_context(request))


@require_GET
def photo(request: AuthedRequest, pk: str, kind: str) -> HttpResponseBase:
    selfie = owned_selfie(request, pk)
    name = {"full": selfie.image, "thumb": selfie.thumbnail}.get(kind)
    if not name:
        raise Http404
    return media.serve(name, content_type="image/webp" if kind == "thumb" else "image/jpeg",
                       max_age=3600)


def _consent_first(request: AuthedRequest) -> HttpResponse:
    """No photo is taken in before the person agrees to the current consent text."""
    message = "Please read and accept how we use your photos before uploading."
    if request.htmx:
        return HttpResponse(message, status=403, content_type="text/plain")
    messages.error(request, message)
    return redirect("selfies")


def _summarise(request: AuthedRequest, form: UploadForm, verdicts: list[intake.Verdict]) -> None:
    for error in form.errors.get("photos", []):
        # ErrorList yields each message as text; its stub also admits ValidationError.
        messages.error(request, str(error))
    accepted = sum(v.accepted for v in verdicts)
    if accepted:
        messages.success(request, f"{accepted} photo{'s' if accepted != 1 else ''} added.")
    for v in verdicts:
        if not v.accepted:
            problem = v.problems[0]
            messages.error(request, f"{v.name}: {problem.message} {problem.hint}")
