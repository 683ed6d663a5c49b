from django.contrib import admin

from sselfie.training.models import PersonalModel, Training


@admin.register(PersonalModel)
class PersonalModelAdmin(admin.ModelAdmin):
    list_display = ["owner", "replicate_name", "trigger_word", "training_status", "version",
                    "created_at", "last_used_at"]
    search_fields = ["owner__email", "replicate_name", "trigger_word"]
    readonly_fields = [f.name for f in PersonalModel._meta.fields]


@admin.register(Training)
class TrainingAdmin(admin.ModelAdmin):
    list_display = ["id", "owner", "state", "progress", "created_at", "queued_for",
                    "duration", "billed_seconds", "provider_id"]
    list_filter = ["state"]
    search_fields = ["owner__email", "provider_id"]
    readonly_fields = [f.name for f in Training._meta.fields]

    @admin.display(description="Waited before start")
    def queued_for(self, obj: Training) -> object:
        return obj.started_at - obj.created_at if obj.started_at else None

    @admin.display(description="Ran for")
    def duration(self, obj: Training) -> object:
        return obj.duration

