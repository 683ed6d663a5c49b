from django.urls import path

from sselfie.accounts import views

urlpatterns = [
    path("profile/", views.profile, name="profile"),
]
