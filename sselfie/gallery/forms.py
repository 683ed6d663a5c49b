import uuid

from django import forms

# Fixed choices: an expiry is never free text, so no date parsing of hostile input.
EXPIRY_CHOICES = [("1", "After 1 day"), ("7", "After 7 days"), ("30", "After 30 days"),
                  ("", "Never")]
DEFAULT_EXPIRY_DAYS = 7  # a link forgotten in a chat should not live for ever
MAX_SELECTION = 500  # one page holds 60; anything near this is not a person clicking


class ShareForm(forms.Form):
    expires = forms.TypedChoiceField(label="Link expires", choices=EXPIRY_CHOICES, coerce=int,
                                     empty_value=None, required=False,
                                     initial=str(DEFAULT_EXPIRY_DAYS))


class SelectionTooLarge(Exception):
    pass


def selected_ids(values: list[str]) -> set[uuid.UUID]:
    """The well-formed photo ids of a bulk form. Malformed ones are dropped; whose they
    are is decided by the owner-scoped query that uses them."""
    if len(values) > MAX_SELECTION:
        raise SelectionTooLarge
    ids = set()
    for value in values:
        try:
            ids.add(uuid.UUID(value))
        except (ValueError, AttributeError):
            continue
    return ids
