from django.urls import path

from sselfie.studio import views

urlpatterns = [
    path("", views.home, name="home"),
    path("studio/", views.workspace, name="workspace"),
]
