"""Sample pictures for the category cards of the generator.

THE HOOK for the landing page's showcase: when the operator-curated showcase (photos whose
owners opted in to public display) lands, `sample_url()` should return the URL of one
showcase photo of that category. Until then it returns None and each card draws its own
placeholder (studio/includes/category_art.html, styled in studio.css "Create").
"""

from sselfie.studio.prompts import Category


def sample_url(category: Category) -> str | None:
    """A public sample photo of `category`, or None for the drawn placeholder."""
    return None
