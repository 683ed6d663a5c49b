from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "SSELFIE Studio operations"
admin.site.site_title = "SSELFIE Studio"

urlpatterns = [
    path("", include("sselfie.studio.urls")),
    path("", include("sselfie.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
