from django.urls import path

from sselfie.training import views

urlpatterns = [
    path("model/status/", views.status, name="model_status"),
    path("model/trainings/<uuid:pk>/cancel/", views.cancel, name="training_cancel"),
]
