from django.contrib import admin

from sselfie.studio.models import GeneratedImage, Generation, PromptTemplate


@admin.register(PromptTemplate)
class PromptTemplateAdmin(admin.ModelAdmin):
    """Operators tune the prompts here; the model's clean() refuses a template that lacks
    the trigger word, the subject, the light or the pose, or that hard-codes a gender."""

    list_display = ["category", "subcategory", "updated_at"]
    list_filter = ["category"]
    readonly_fields = ["category", "subcategory", "updated_at"]
    fields = ["category", "subcategory", "template", "updated_at"]

    def has_add_permission(self, request: object) -> bool:
        return False  # one row per subcategory, seeded from prompts.toml

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Generation)
class GenerationAdmin(admin.ModelAdmin):
    list_display = ["id", "owner", "category", "subcategory", "state", "requested", "delivered",
                    "refunded", "created_at", "predict_seconds"]
    list_filter = ["state", "category"]
    search_fields = ["owner__email", "provider_id"]
    readonly_fields = [f.name for f in Generation._meta.fields]


@admin.register(GeneratedImage)
class GeneratedImageAdmin(admin.ModelAdmin):
    list_display = ["id", "owner", "category", "subcategory", "saved", "favourite", "likeness",
                    "created_at"]
    list_filter = ["saved", "favourite", "category"]
    search_fields = ["owner__email"]
    # Operators see metadata, never the photos themselves.
    exclude = ["image", "thumbnail"]
    readonly_fields = [f.name for f in GeneratedImage._meta.fields
                       if f.name not in ("image", "thumbnail")]
