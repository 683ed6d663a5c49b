from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from sselfie.accounts.models import Profile
from sselfie.studio.workspace import Workspace


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("workspace")
    return render(request, "studio/home.html")


def workspace(request: HttpRequest) -> HttpResponse:
    profile = Profile.for_user(request.user)
    return render(request, "studio/workspace.html", {"ws": Workspace.for_profile(profile)})
