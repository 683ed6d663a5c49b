from django import forms

from sselfie.studio.generation_settings import ASPECT_RATIOS, DEFAULT_ASPECT_RATIO
from sselfie.studio.prompts import UnknownChoice, load_catalog


def category_choices() -> list[tuple[str, str]]:
    return [(c.key, c.label) for c in load_catalog().categories]


def subcategory_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped by category, each group naming its light and pose, so the choice reads
    well without JavaScript too."""
    return [
        (f"{c.label} · {c.lighting} light · {c.pose}",
         [(s.key, s.label) for s in c.subcategories])
        for c in load_catalog().categories
    ]


class GenerateForm(forms.Form):
    model = forms.UUIDField(widget=forms.HiddenInput)
    category = forms.ChoiceField(choices=category_choices)
    subcategory = forms.ChoiceField(choices=subcategory_choices)
    aspect_ratio = forms.ChoiceField(choices=ASPECT_RATIOS, initial=DEFAULT_ASPECT_RATIO,
                                     label="Format")

    def clean(self) -> dict:
        data = super().clean()
        category, subcategory = data.get("category"), data.get("subcategory")
        if category and subcategory:
            try:
                load_catalog().category(category).subcategory(subcategory)
            except UnknownChoice:
                label = load_catalog().category(category).label
                self.add_error("subcategory", f"Pick one of the {label} subcategories.")
        return data
