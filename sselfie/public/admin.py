from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from sselfie.public.models import DisplayConsent, ShowcaseEntry
from sselfie.studio.models import GeneratedImage


def consented_images() -> QuerySet[GeneratedImage]:
    live = DisplayConsent.objects.live().filter(image=OuterRef("pk"))
    return GeneratedImage.objects.filter(Exists(live), saved=True, owner__is_active=True)


class ImageChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: GeneratedImage) -> str:
        return f"{obj.category} / {obj.subcategory} · {obj.created_at:%Y-%m-%d} · {obj.id}"


class ShowcaseEntryForm(forms.ModelForm):
    """Operators pick only among photos whose owners opted in to public display."""

    image = ImageChoice(queryset=GeneratedImage.objects.none(),
                        help_text="Only saved photos whose owners allowed public display.")

    class Meta:
        model = ShowcaseEntry
        fields = ["image", "position"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        image = self.fields["image"]
        if not isinstance(image, ImageChoice):  # declared above; only a code change breaks it
            raise TypeError("ShowcaseEntryForm.image is no longer an ImageChoice")
        image.queryset = consented_images().order_by("-created_at")


@admin.register(ShowcaseEntry)
class ShowcaseEntryAdmin(admin.ModelAdmin):
    form = ShowcaseEntryForm
    list_display = ["__str__", "preview", "position", "added_at"]
    list_editable = ["position"]

    @admin.display(description="Photo")
    def preview(self, entry: ShowcaseEntry) -> str:
        url = reverse("showcase_photo", args=[entry.id])
        return format_html('<img src="{}" alt="" width="96">', url)


@admin.register(DisplayConsent)
class DisplayConsentAdmin(admin.ModelAdmin):
    """The record of who allowed what, when: read-only, owners change it themselves."""

    list_display = ["image", "owner", "version", "granted_at", "revoked_at"]
    list_filter = ["revoked_at"]
    readonly_fields = ["image", "owner", "version", "granted_at", "revoked_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
