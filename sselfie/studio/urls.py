from django.urls import path

from sselfie.studio import preview_views, views

urlpatterns = [
    path("studio/", views.workspace, name="workspace"),
    path("studio/generate/", views.generate, name="generate"),
    path("studio/generations/<uuid:pk>/", views.results, name="generation"),
    path("studio/generations/<uuid:pk>/again/", views.more_like, name="generation_again"),
    # Training starts here, not in training/: the Train button starts the preview too.
    path("model/train/", preview_views.train, name="train"),
    path("studio/preview/", preview_views.panel, name="preview"),
]
