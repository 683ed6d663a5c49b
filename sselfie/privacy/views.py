from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sselfie.accounts.consent import CONSENT_VERSION, record_consent
from sselfie.accounts.http import AuthedRequest
from sselfie.accounts.middleware import onboarding_not_required
from sselfie.privacy import erasure, export
from sselfie.privacy.models import DataExport
from sselfie.privacy.policy import retention_rules

SCOPES = {
    "selfies": "your selfies and training set",
    "model": "your personal model (here and at Replicate)",
    "account": "your whole account and everything in it",
}


@login_not_required
@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/privacy.html",
                  {"rules": retention_rules(), "version": CONSENT_VERSION})


@require_POST
def consent(request: AuthedRequest) -> HttpResponse:
    if request.POST.get("agree") != "yes":
        messages.error(request, "Tick the box to agree before uploading your selfies.")
    else:
        record_consent(request.user)
    return redirect("selfies")


@onboarding_not_required
@reauthentication_required(allow_get=False)
def account(request: AuthedRequest) -> HttpResponse:
    exports = DataExport.objects.filter(owner=request.user)[:3]
    return render(request, "privacy/account.html", {"exports": exports, "scopes": SCOPES})


@onboarding_not_required
@require_GET
@reauthentication_required(allow_get=False)
def confirm_delete(request: AuthedRequest, scope: str) -> HttpResponse:
    if scope not in SCOPES:
        raise Http404
    return render(request, "privacy/confirm_delete.html", {"scope": scope, "what": SCOPES[scope]})


@onboarding_not_required
@require_http_methods(["GET", "POST"])
@reauthentication_required
def delete(request: AuthedRequest, scope: str) -> HttpResponse:
    if scope not in SCOPES:
        raise Http404
    if request.method == "GET":  # back from re-authentication: confirm again
        return redirect("confirm_delete", scope=scope)
    if request.POST.get("confirm", "").strip().upper() != "DELETE":
        messages.error(request, "Type DELETE to confirm.")
        return redirect("confirm_delete", scope=scope)
    if scope == "account":
        user = request.user
        logout(request)
        erasure.delete_account(user)
        messages.success(request, "Your account and all its data are deleted. Goodbye.")
        return redirect("home")
    if scope == "model":
        erasure.delete_model(request.user)
        messages.success(request, "Your personal model is deleted, here and at Replicate.")
    else:
        erasure.delete_selfies(request.user)
        messages.success(request, "Your selfies are deleted.")
    return redirect("account")


@onboarding_not_required
@require_http_methods(["GET", "POST"])
@reauthentication_required
def request_export(request: AuthedRequest) -> HttpResponse:
    if request.method == "GET":  # back from re-authentication: ask again on the page
        return redirect("account")
    export.request_export(request.user)
    messages.success(request, "We're preparing your data. The link appears here and in your "
                              "email in a minute or two.")
    return redirect("account")


@onboarding_not_required
@require_GET
def download_export(request: AuthedRequest, pk: str) -> HttpResponse:
    """Someone else's (or an expired) export is a 404 first; only the owner is then asked
    for their password again, so the redirect never confirms that an id exists."""
    found = get_object_or_404(DataExport, pk=pk, owner=request.user,
                              state=DataExport.State.READY)
    if found.expired:
        raise Http404
    return _send_export(request, found)


@reauthentication_required(allow_get=False)
def _send_export(request: AuthedRequest, found: DataExport) -> FileResponse:
    return FileResponse(default_storage.open(found.archive), as_attachment=True,
                        filename=f"sselfie-export-{found.created_at:%Y%m%d}.zip",
                        content_type="application/zip")
