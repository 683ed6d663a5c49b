from django.urls import path

from sselfie.selfies import views

urlpatterns = [
    path("selfies/", views.selfies, name="selfies"),
    path("selfies/upload/", views.upload, name="selfie_upload"),
    path("selfies/coach/", views.coach, name="selfie_coach"),
    path("selfies/<uuid:pk>/delete/", views.delete, name="selfie_delete"),
    path("selfies/<uuid:pk>/replace/", views.replace, name="selfie_replace"),
    path("selfies/<uuid:pk>/<str:kind>/", views.photo, name="selfie_photo"),
]
