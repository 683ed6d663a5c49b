from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

ACCEPT = "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class UploadForm(forms.Form):
    """Which files arrived. Each file is judged on its own by the intake, so one bad file
    never hides the verdicts of the others; this form only checks the request as a whole."""

    photos = forms.FileField(
        widget=MultipleFileInput(attrs={"accept": ACCEPT, "multiple": True}),
        required=False,
        label="Choose photos",
    )

    def files_or_errors(self) -> list[UploadedFile]:
        if not self.is_bound:
            return []
        files = self.files.getlist("photos")
        if not files:
            self.add_error("photos", "Choose at least one photo to upload.")
        elif len(files) > settings.SELFIE_MAX_COUNT:
            self.add_error("photos", f"Choose at most {settings.SELFIE_MAX_COUNT} photos at once.")
            return []
        return files
