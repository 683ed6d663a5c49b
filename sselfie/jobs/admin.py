from django.contrib import admin

from sselfie.jobs.models import InboundDelivery


@admin.register(InboundDelivery)
class InboundDeliveryAdmin(admin.ModelAdmin):
    list_display = ["source", "delivery_id", "received_at"]
    list_filter = ["source"]
    search_fields = ["delivery_id"]
