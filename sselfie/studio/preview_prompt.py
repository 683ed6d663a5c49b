"""The preview's prompt: the same catalogue templates as every photo, with the trigger word
(which only a trained LoRA knows) replaced by how an identity model is told who to show.

FLUX.2 takes several reference images and is prompted in plain language about them; Kontext
takes one input image and is asked to keep that person. Every template begins
"{trigger} {subject}", so "user_x_trigger woman" becomes "the woman from the reference
photos, with exactly her face …". A template edited to put the trigger elsewhere still works:
only the trigger word is replaced then.
"""

from sselfie.accounts.models import Profile
from sselfie.studio.models import PromptTemplate
from sselfie.studio.prompts import build_prompt, load_catalog

PLACEHOLDER = "PREVIEWSUBJECT"  # stands in for the trigger while the builder checks the prompt
PRONOUNS = {"woman": "her", "man": "his", "person": "their"}


def reference_phrase(subject: str, descriptor: str, *, single: bool) -> str:
    pronoun = PRONOUNS.get(descriptor, "their")
    return (f"the {subject} from {_source(single)}, with exactly {pronoun} face, features, "
            "skin tone and hair, photographed")


def reference_prompt(profile: Profile, category: str, subcategory: str, *, single: bool) -> str:
    row = PromptTemplate.objects.filter(category=category, subcategory=subcategory).first()
    prompt = build_prompt(
        trigger=PLACEHOLDER, category=category, subcategory=subcategory, style=profile.style,
        descriptor=profile.descriptor, industry=profile.industry,
        industry_other=profile.industry_other, template=row.template if row else None,
    )
    subject = load_catalog().subject(profile.descriptor)
    phrase = reference_phrase(subject, profile.descriptor, single=single)
    if f"{PLACEHOLDER} {subject}" in prompt:
        return prompt.replace(f"{PLACEHOLDER} {subject}", phrase, 1)
    return prompt.replace(PLACEHOLDER, f"the person from {_source(single)}", 1)


def _source(single: bool) -> str:
    return "the input image" if single else "the reference photos"
