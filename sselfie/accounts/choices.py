"""The onboarding questionnaire's choices.

Styles and descriptors feed the prompt builder, so their values are stable keys:
rename a label freely, never a value.
"""

from django.db import models


class Style(models.TextChoices):
    MINIMAL = "minimal", "Minimal: clean lines, calm neutrals"
    LUXURY = "luxury", "Luxury: polished, premium, refined"
    BOLD = "bold", "Bold: dramatic contrast, strong presence"
    CLASSIC = "classic", "Classic: timeless, tailored, elegant"
    NATURAL = "natural", "Natural: warm, organic, effortless"
    EDGY = "edgy", "Edgy: urban, graphic, unexpected"
    VIBRANT = "vibrant", "Vibrant: colour, energy, joy"
    MOODY = "moody", "Moody: shadows, depth, cinematic"


class Industry(models.TextChoices):
    COACHING = "coaching", "Coaching"
    CONSULTING = "consulting", "Consulting"
    REAL_ESTATE = "real_estate", "Real estate"
    FITNESS = "fitness", "Fitness & wellness"
    BEAUTY = "beauty", "Beauty & fashion"
    CREATIVE = "creative", "Creative & design"
    TECH = "tech", "Tech & startups"
    FINANCE = "finance", "Finance"
    HOSPITALITY = "hospitality", "Hospitality & travel"
    FOOD = "food", "Food & drink"
    HEALTH = "health", "Health care"
    EDUCATION = "education", "Education"
    LAW = "law", "Law"
    MARKETING = "marketing", "Marketing & social media"
    OTHER = "other", "Other"


class Descriptor(models.TextChoices):
    """How prompts describe the person in the photos; the seed hard-codes "woman"."""

    WOMAN = "woman", "A woman"
    MAN = "man", "A man"
    PERSON = "person", "A person (no gender)"
