from django.urls import path

from sselfie.privacy import views

urlpatterns = [
    path("privacy/", views.privacy, name="privacy"),
    path("selfies/consent/", views.consent, name="consent"),
    path("account/", views.account, name="account"),
    path("account/delete/<str:scope>/", views.confirm_delete, name="confirm_delete"),
    path("account/delete/<str:scope>/confirm/", views.delete, name="delete_data"),
    path("account/export/", views.request_export, name="request_export"),
    path("account/exports/<uuid:pk>/", views.download_export, name="download_export"),
]
