from typing import Any

from django import forms

from sselfie.studio.generation_settings import ASPECT_RATIOS, DEFAULT_ASPECT_RATIO
from sselfie.studio.prompts import UnknownChoice, load_catalog


def category_choices() -> list[tuple[str, str]]:
    return [(c.key, c.label) for c in load_catalog().categories]


def subcategory_field(category: str) -> str:
    """The form field holding the subcategory picked inside `category`'s own card.

    Each category has its own radio group, so choosing another category can never leave a
    subcategory of the previous one selected: the server reads only the chosen category's
    group. This works with no JavaScript at all.
    """
    return f"sub-{category}"


class GenerateForm(forms.Form):
    model = forms.UUIDField(widget=forms.HiddenInput)
    category = forms.ChoiceField(choices=category_choices, widget=forms.RadioSelect)
    # Still accepted from scripts and older pages; the page itself posts sub-<category>.
    subcategory = forms.CharField(required=False, max_length=40)
    aspect_ratio = forms.ChoiceField(choices=ASPECT_RATIOS, initial=DEFAULT_ASPECT_RATIO,
                                     label="Format", widget=forms.RadioSelect)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        category = data.get("category")
        if not category:
            return data
        picked = self.data.get(subcategory_field(category)) or data.get("subcategory") or ""
        group = load_catalog().category(category)
        try:
            data["subcategory"] = group.subcategory(str(picked)).key
        except UnknownChoice:
            self.add_error("subcategory", f"Pick one of the {group.label} styles.")
        return data

    def picked_subcategory(self, category: str) -> str:
        """The subcategory to show as chosen in `category`'s card: what was posted, else
        the category's first one (so every card always has exactly one choice)."""
        first = load_catalog().category(category).subcategories[0].key
        if not self.is_bound:
            return first
        posted = self.data.get(subcategory_field(category))
        if posted is None and self.data.get("category") == category:
            posted = self.data.get("subcategory")
        return posted or first

    def picked_category(self) -> str:
        if self.is_bound and self.data.get("category"):
            return str(self.data["category"])
        return load_catalog().categories[0].key
