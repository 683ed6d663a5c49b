from django.contrib import admin

from sselfie.accounts.models import Consent
from sselfie.privacy.models import DataExport, ProviderDeletion


@admin.register(ProviderDeletion)
class ProviderDeletionAdmin(admin.ModelAdmin):
    list_display = ["kind", "owner", "name", "object_id", "attempts", "last_error", "created_at",
                    "done_at"]
    list_filter = ["kind", ("done_at", admin.EmptyFieldListFilter)]
    readonly_fields = [f.name for f in ProviderDeletion._meta.fields]


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["user", "version", "accepted_at"]
    readonly_fields = ["user", "version", "accepted_at"]


@admin.register(DataExport)
class DataExportAdmin(admin.ModelAdmin):
    list_display = ["owner", "state", "size", "created_at", "expires_at"]
    readonly_fields = [f.name for f in DataExport._meta.fields]
