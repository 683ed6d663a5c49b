from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

ACCEPT = "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.Field):
    """The chosen files, as they came. Each is judged by the intake, which says what is
    wrong in its own words; a plain FileField would also judge the list as one file and
    report "No file was submitted" on every multi-file post."""

    widget = MultipleFileInput(attrs={"accept": ACCEPT, "multiple": True})

    def clean(self, value: object) -> list[UploadedFile]:
        return list(value) if isinstance(value, (list, tuple)) else []


class UploadForm(forms.Form):
    """Which files arrived. Each file is judged on its own by the intake, so one bad file
    never hides the verdicts of the others; this form only checks the request as a whole.

    `skipped` is how many files beyond the set's maximum the upload handler read past
    without storing (sselfie/limits.py): they count towards "too many"."""

    photos = PhotosField(required=False, label="Choose photos")

    def __init__(self, *args: Any, skipped: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.skipped = skipped

    def files_or_errors(self) -> list[UploadedFile]:
        if not self.is_bound:
            return []
        files = self.files.getlist("photos")
        chosen = len(files) + self.skipped
        if not chosen:
            self.add_error("photos", "Choose at least one photo to upload.")
        elif chosen > settings.SELFIE_MAX_COUNT:
            self.add_error("photos", f"Choose at most {settings.SELFIE_MAX_COUNT} photos at "
                                     f"once (you chose {chosen}).")
            return []
        return files
