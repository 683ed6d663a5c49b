from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms

from sselfie.accounts.choices import Descriptor, Industry, Style
from sselfie.accounts.models import Profile


class ProfileForm(forms.ModelForm):
    """The onboarding questionnaire, also used to edit answers later."""

    class Meta:
        model = Profile
        fields = ["display_name", "story", "dreams", "goals", "style", "industry",
                  "industry_other", "descriptor"]
        widgets = {
            "display_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "story": forms.Textarea(attrs={"rows": 5, "maxlength": 2000}),
            "dreams": forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
            "goals": forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
            "style": forms.RadioSelect,
            "descriptor": forms.RadioSelect,
        }
        help_texts = {
            "story": "Where you come from and what you do. Up to 2,000 characters.",
            "dreams": "What you want your personal brand to make possible.",
            "goals": "The next milestones: a launch, a book, a new client base.",
            "industry_other": "Only if you chose “Other”.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("story", "dreams", "goals", "style", "industry", "descriptor"):
            self.fields[name].required = True
        # ModelForm adds an empty "---------" radio for blank=True choice fields: offer the
        # model's own choices only.
        for name, choices in (("style", Style.choices), ("descriptor", Descriptor.choices)):
            field = self.fields[name]
            if not isinstance(field, forms.ChoiceField):  # the model changed, not the input
                raise TypeError(f"Profile.{name} is no longer a choice field")
            field.choices = choices

    def clean_display_name(self) -> str:
        # One line of plain words: collapse runs of spaces, refuse control characters.
        name = " ".join(self.cleaned_data.get("display_name", "").split())
        if any(not ch.isprintable() for ch in name):
            raise forms.ValidationError("Use letters, spaces and ordinary punctuation only.")
        return name

    def clean(self) -> dict[str, Any]:
        super().clean()  # ModelForm's clean returns (and fills) self.cleaned_data
        data = self.cleaned_data
        if data.get("industry") == Industry.OTHER and not data.get("industry_other", "").strip():
            self.add_error("industry_other", "Tell us your industry in a few words.")
        if data.get("industry") != Industry.OTHER:
            data["industry_other"] = ""
        return data


class LoginForm(AllauthLoginForm):
    """allauth's login form with our wording: sentence-case labels."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:
            self.fields["remember"].label = "Keep me logged in"
