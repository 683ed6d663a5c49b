from django import forms

from sselfie.accounts.choices import Industry
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

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for name in ("story", "dreams", "goals", "style", "industry", "descriptor"):
            self.fields[name].required = True
        # ModelForm adds an empty "---------" radio for blank=True choice fields.
        for name in ("style", "descriptor"):
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0]]

    def clean_display_name(self) -> str:
        # One line of plain words: collapse runs of spaces, refuse control characters.
        name = " ".join(self.cleaned_data.get("display_name", "").split())
        if any(not ch.isprintable() for ch in name):
            raise forms.ValidationError("Use letters, spaces and ordinary punctuation only.")
        return name

    def clean(self) -> dict:
        data = super().clean()
        if data.get("industry") == Industry.OTHER and not data.get("industry_other", "").strip():
            self.add_error("industry_other", "Tell us your industry in a few words.")
        if data.get("industry") != Industry.OTHER:
            data["industry_other"] = ""
        return data


def _login_form_base() -> type:
    # allauth's forms import the user model, so they are loaded only when settings are ready.
    from allauth.account.forms import LoginForm

    return LoginForm


class LoginForm(_login_form_base()):
    """allauth's login form with our wording: sentence-case labels."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:
            self.fields["remember"].label = "Keep me logged in"
