from django.urls import path

from sselfie.billing import views, webhook

urlpatterns = [
    path("pricing/", views.pricing, name="pricing"),
    path("billing/checkout/", views.start_checkout, name="billing_checkout"),
    path("billing/return/", views.checkout_return, name="billing_return"),
    path("billing/portal/", views.portal, name="billing_portal"),
    path("webhooks/stripe/", webhook.stripe_webhook, name="stripe_webhook"),
]
