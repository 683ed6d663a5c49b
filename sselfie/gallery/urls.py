from django.urls import path

from sselfie.gallery import actions, shares, views

urlpatterns = [
    # Listings
    path("gallery/", views.gallery, name="gallery"),
    path("gallery/favourites/", views.favourites, name="gallery_favourites"),
    path("gallery/favourites/download/", actions.favourites_zip, name="gallery_favourites_zip"),
    path("gallery/dates/", views.by_date, name="gallery_dates"),
    path("gallery/categories/", views.categories, name="gallery_categories"),
    path("gallery/categories/<slug:category>/", views.category, name="gallery_category"),
    path("gallery/categories/<slug:category>/<slug:subcategory>/", views.category,
         name="gallery_category"),
    path("gallery/bulk/", actions.bulk, name="gallery_bulk"),
    path("gallery/plans/", views.plans, name="gallery_plans"),
    # One photo
    path("gallery/<uuid:pk>/", views.image_detail, name="gallery_image"),
    path("gallery/<uuid:pk>/favourite/", actions.favourite, name="gallery_favourite"),
    path("gallery/<uuid:pk>/delete/", actions.delete, name="gallery_delete"),
    path("gallery/<uuid:pk>/share/", shares.create, name="gallery_share"),
    path("gallery/shares/<uuid:pk>/revoke/", shares.revoke, name="gallery_share_revoke"),
    # Posted from the studio's results grid too
    path("images/<uuid:pk>/save/", views.save, name="image_save"),
    path("images/<uuid:pk>/unsave/", views.unsave, name="image_unsave"),
    path("images/<uuid:pk>/<str:kind>/", views.image_file, name="image_file"),
    # Public, by token only
    path("s/<str:token>/", shares.page, name="share_page"),
    path("s/<str:token>/image/", shares.image, name="share_image"),
]
