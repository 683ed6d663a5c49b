from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from sselfie.health import health

# A body refused for size answers 413 with a friendly page (sselfie/limits.py).
handler400 = "sselfie.limits.bad_request"

admin.site.site_header = "SSELFIE Studio operations"
admin.site.site_title = "SSELFIE Studio"
# Operators sign in through allauth's login page, which is rate-limited.
# Replacing the bound method on the one AdminSite instance is allauth's documented wiring;
# mypy flags any assignment to a method.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("health/", health, name="health"),
    path("", include("sselfie.public.urls")),
    path("", include("sselfie.studio.urls")),
    path("", include("sselfie.accounts.urls")),
    path("", include("sselfie.selfies.urls")),
    path("", include("sselfie.training.urls")),
    path("", include("sselfie.gallery.urls")),
    path("", include("sselfie.privacy.urls")),
    path("", include("sselfie.jobs.urls")),
    path("", include("sselfie.billing.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
