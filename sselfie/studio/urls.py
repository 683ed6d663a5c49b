from django.urls import path

from sselfie.studio import views

urlpatterns = [
    path("studio/", views.workspace, name="workspace"),
    path("studio/generate/", views.generate, name="generate"),
    path("studio/generations/<uuid:pk>/", views.results, name="generation"),
    path("studio/generations/<uuid:pk>/again/", views.more_like, name="generation_again"),
]
