from django.urls import path

from sselfie.public import views

urlpatterns = [
    path("", views.home, name="home"),
    path("terms/", views.terms, name="terms"),
    path("showcase/<uuid:pk>/photo/", views.showcase_photo, name="showcase_photo"),
    path("gallery/<uuid:pk>/showcase/", views.showcase_consent, name="showcase_consent"),
    path("account/showcase/", views.my_showcase, name="my_showcase"),
]
