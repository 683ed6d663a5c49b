from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from sselfie.accounts.models import Plan, Profile, User


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["-date_joined"]
    list_display = ["email", "public_id", "is_active", "is_staff", "date_joined"]
    search_fields = ["email", "public_id"]
    readonly_fields = ["public_id", "last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password", "public_id"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    inlines = [ProfileInline]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "price_label", "is_public", "trainings_per_day", "images_per_day",
                    "saved_images", "is_default"]
    fieldsets = [
        (None, {"fields": ["name", "is_public", "is_default"]}),
        ("Price", {"fields": ["monthly_price", "currency", "stripe_price_id"]}),
        ("Limits", {"fields": ["trainings_per_day", "images_per_day", "saved_images"]}),
    ]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name", "plan", "style", "industry", "descriptor",
                    "onboarded_at"]
    list_filter = ["plan", "style", "industry", "descriptor"]
    search_fields = ["user__email", "display_name"]
    raw_id_fields = ["user"]
