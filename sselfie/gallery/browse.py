"""What a gallery listing shows: which photos (the filter), in what order, page by page.

One order everywhere, newest first with the id as tie-break, so the grid, the paging and
the lightbox's previous/next always agree. Every listing is a fixed number of queries
(a count and one page slice) whatever the size of the gallery.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from sselfie.accounts.models import User
from sselfie.studio.models import GeneratedImage, ImageQuerySet
from sselfie.studio.prompts import load_catalog

PAGE_SIZE = 60
ORDER = ("-created_at", "-id")
# What a grid tile needs; the prompt (long text) stays in the database.
TILE_FIELDS = ("id", "category", "subcategory", "created_at", "favourite", "thumbnail", "width",
               "height")
_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")


@lru_cache(maxsize=1)
def _labels() -> dict[str, str]:
    labels = {}
    for cat in load_catalog().categories:
        labels[cat.key] = cat.label
        labels.update({f"{cat.key}/{sub.key}": sub.label for sub in cat.subcategories})
    return labels


def category_label(category: str) -> str:
    return _labels().get(category, category.replace("_", " ").title())


def subcategory_label(category: str, subcategory: str) -> str:
    return _labels().get(f"{category}/{subcategory}", subcategory.replace("_", " ").title())


TRIGGER_SHAPE = re.compile(r"\buser_[a-z0-9]+_trigger\b\s*")


def prompt_for_person(image: GeneratedImage) -> str:
    """The prompt as the owner reads it: without the model's trigger word, which is an
    operator's detail (they see it in the admin)."""
    prompt = image.prompt
    model = image.personal_model
    if model is not None and model.trigger_word:
        prompt = re.sub(rf"\b{re.escape(model.trigger_word)}\b\s*", "", prompt)
    return TRIGGER_SHAPE.sub("", prompt).strip()


def title_for(image: GeneratedImage) -> str:
    sub = subcategory_label(image.category, image.subcategory)
    return f"{category_label(image.category)} · {sub}"


@dataclass(frozen=True)
class Filter:
    """A gallery view. Travels to the lightbox as `?in=…` so previous/next stay inside it."""

    view: str = "all"  # all | favourites | date | category
    category: str = ""
    subcategory: str = ""

    @classmethod
    def from_param(cls, value: str | None) -> "Filter":
        """Parse `?in=`; anything unexpected is the plain "all" view, never an error."""
        value = (value or "")[:100]
        if value in ("favourites", "date"):
            return cls(value)
        parts = value.split("/")
        if parts[0] == "category" and 2 <= len(parts) <= 3 and all(map(_KEY.fullmatch, parts[1:])):
            return cls("category", parts[1], parts[2] if len(parts) == 3 else "")
        return cls()

    @property
    def param(self) -> str:
        if self.view == "category":
            return "/".join(filter(None, ("category", self.category, self.subcategory)))
        return "" if self.view == "all" else self.view

    @property
    def query(self) -> str:
        return "?" + urlencode({"in": self.param}) if self.param else ""

    @property
    def url(self) -> str:
        if self.view == "category":
            args = [self.category] + ([self.subcategory] if self.subcategory else [])
            return reverse("gallery_category", args=args)
        return reverse({"all": "gallery", "favourites": "gallery_favourites",
                        "date": "gallery_dates"}[self.view])

    @property
    def title(self) -> str:
        if self.view == "category":
            if self.subcategory:
                return (f"{category_label(self.category)} · "
                        f"{subcategory_label(self.category, self.subcategory)}")
            return category_label(self.category)
        return {"all": "All photos", "favourites": "Favourites", "date": "By date"}[self.view]

    def contains(self, image: GeneratedImage) -> bool:
        return (image.saved and (self.view != "favourites" or image.favourite)
                and self.category in ("", image.category)
                and self.subcategory in ("", image.subcategory))

    def images(self, user: User) -> ImageQuerySet:
        found = GeneratedImage.objects.owned_by(user).filter(saved=True)
        if self.view == "favourites":
            found = found.filter(favourite=True)
        if self.category:
            found = found.filter(category=self.category)
        if self.subcategory:
            found = found.filter(subcategory=self.subcategory)
        return found.order_by(*ORDER)


def page_of(images: ImageQuerySet, number: str | None) -> Page:
    """A page of tiles; an out-of-range or malformed number gives the nearest real page."""
    page = Paginator(images.only(*TILE_FIELDS), PAGE_SIZE).get_page(number)
    for image in page:
        image.title = title_for(image)
    return page


@dataclass
class Day:
    day: date
    images: list[GeneratedImage] = field(default_factory=list)


@dataclass
class Month:
    first: date
    days: list[Day] = field(default_factory=list)


def by_month_and_day(images: list[GeneratedImage]) -> list[Month]:
    """Group an already ordered page under month and day headings, in local time."""
    months: list[Month] = []
    for image in images:
        day = timezone.localdate(image.created_at)
        if not months or months[-1].first != day.replace(day=1):
            months.append(Month(day.replace(day=1)))
        if not months[-1].days or months[-1].days[-1].day != day:
            months[-1].days.append(Day(day))
        months[-1].days[-1].images.append(image)
    return months


def neighbours(view: "Filter", user: User,
               image: GeneratedImage) -> tuple[object | None, object | None]:
    """The ids just before (newer) and after (older) `image` in this view: two indexed
    queries, never a scan of the gallery. None at either end, or when the image is not
    in the view at all (an unsaved result opened from the studio)."""
    if not view.contains(image):
        return None, None
    images, at = view.images(user), image.created_at
    newer = images.filter(Q(created_at__gt=at) | Q(created_at=at, id__gt=image.id))
    older = images.filter(Q(created_at__lt=at) | Q(created_at=at, id__lt=image.id))
    previous = newer.order_by("created_at", "id").values_list("id", flat=True).first()
    following = older.order_by(*ORDER).values_list("id", flat=True).first()
    return previous, following


@dataclass(frozen=True)
class Shelf:
    """One category (or subcategory) on the categories page, with its photo count."""

    category: str
    subcategory: str
    count: int
    subs: tuple["Shelf", ...] = ()

    @property
    def label(self) -> str:
        if self.subcategory:
            return subcategory_label(self.category, self.subcategory)
        return category_label(self.category)

    @property
    def filter(self) -> Filter:
        return Filter("category", self.category, self.subcategory)


def shelves(user: User) -> list[Shelf]:
    """Categories holding saved photos, in catalogue order, with counts: one query."""
    counts = (GeneratedImage.objects.owned_by(user).filter(saved=True)
              .values_list("category", "subcategory").annotate(n=Count("id"))
              .order_by("category", "subcategory"))
    by_category: dict[str, list[Shelf]] = {}
    for category, subcategory, n in counts:
        by_category.setdefault(category, []).append(Shelf(category, subcategory, n))
    rank = {key: i for i, key in enumerate(_labels())}  # catalogue order; unknown keys last
    found = []
    for category, subs in by_category.items():
        subs.sort(key=lambda s: rank.get(f"{category}/{s.subcategory}", len(rank)))
        found.append(Shelf(category, "", sum(s.count for s in subs), tuple(subs)))
    return sorted(found, key=lambda s: rank.get(s.category, len(rank)))
