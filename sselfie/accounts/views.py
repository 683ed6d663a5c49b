from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from sselfie.accounts.forms import ProfileForm
from sselfie.accounts.http import AuthedRequest
from sselfie.accounts.middleware import onboarding_not_required
from sselfie.accounts.models import Profile


@onboarding_not_required
def profile(request: AuthedRequest) -> HttpResponse:
    """The onboarding questionnaire on first visit; the place to edit the answers afterwards."""
    profile = Profile.for_user(request.user)
    first_time = not profile.is_onboarded
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        profile = form.save(commit=False)
        profile.complete_onboarding()
        profile.save()
        if first_time:
            messages.success(request, "Welcome to your studio. Next: your selfies.")
        else:
            messages.success(request, "Your profile is saved. New photos will follow it.")
        return redirect("workspace")
    return render(request, "accounts/profile.html", {"form": form, "first_time": first_time})
