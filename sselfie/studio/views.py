from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseStopPolling

from sselfie.accounts.http import AuthedRequest
from sselfie.accounts.models import Plan, Profile
from sselfie.studio import generation
from sselfie.studio.forms import GenerateForm
from sselfie.studio.models import Generation
from sselfie.studio.results import Results
from sselfie.studio.workspace import Workspace
from sselfie.training.models import PersonalModel

WORKSPACE = "studio/workspace.html"
GENERATION = "studio/includes/generation.html"


def workspace(request: AuthedRequest) -> HttpResponse:
    profile = Profile.for_user(request.user)
    return render(request, WORKSPACE, {"ws": Workspace.for_profile(profile)})


def owned_generation(request: AuthedRequest, pk: str) -> Generation:
    return get_object_or_404(Generation.objects.select_related("personal_model"), pk=pk,
                             owner=request.user)


@require_POST
def generate(request: AuthedRequest) -> HttpResponse:
    form = GenerateForm(request.POST)
    if not form.is_valid():
        ws = Workspace.for_profile(Profile.for_user(request.user), form=form)
        return render(request, WORKSPACE, {"ws": ws}, status=400)
    # The seed's validateUserModel: someone else's model id is a 404 and costs nothing.
    model = get_object_or_404(PersonalModel, pk=form.cleaned_data["model"], owner=request.user)
    try:
        generation.create(request.user, model, category=form.cleaned_data["category"],
                          subcategory=form.cleaned_data["subcategory"],
                          aspect_ratio=form.cleaned_data["aspect_ratio"])
    except generation.CannotGenerate as exc:
        return _cannot_generate(request, exc)
    return redirect("/studio/#results")


@require_POST
def more_like(request: AuthedRequest, pk: str) -> HttpResponse:
    try:
        generation.more_like(owned_generation(request, pk))
    except generation.CannotGenerate as exc:
        return _cannot_generate(request, exc)
    return redirect("/studio/#results")


@require_GET
def results(request: AuthedRequest, pk: str) -> HttpResponse:
    """One generation's results, polled by htmx until its photos are in."""
    found = Results.for_generation(owned_generation(request, pk))
    response = render(request, GENERATION, {"gen": found})
    if not found.generation.is_active:
        response.status_code = HttpResponseStopPolling.status_code
    return response


def _cannot_generate(request: AuthedRequest, exc: generation.CannotGenerate) -> HttpResponse:
    if exc.reason == "no_model":
        messages.info(request, exc.message + " Upload your selfies and train it first.")
        return redirect("selfies")
    if exc.reason == "limit":
        return render(request, "studio/limit.html", {
            "message": exc.message, "resets_at": exc.resets_at,
            "plans": Plan.objects.all(), "current": Profile.for_user(request.user).plan,
        }, status=429)
    messages.error(request, exc.message)
    return redirect("workspace")
