from django.urls import path

from sselfie.jobs import views

urlpatterns = [
    path("webhooks/replicate/", views.replicate_webhook, name="replicate_webhook"),
]
