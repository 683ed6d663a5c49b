"""Prompt catalogue and builder: templates live in prompts.toml, this module only assembles.

Pure Python on purpose (no Django import): the generator, the future admin form that edits
templates as DB rows, and the tests all share one builder that runs under ``-p no:django``.

A prompt is ``<rendered template>, <style modifier>, <realism suffix>``. The template names the
subject through ``{subject}`` (the user's own choice of woman / man / person) and ``{wardrobe}``
(chosen per descriptor), because a hard-coded "woman" is the spec's wrong-subject-class bug.
"""

import re
import string
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

DEFAULT_PATH = Path(__file__).with_name("prompts.toml")

REQUIRED_PLACEHOLDERS = ("trigger", "subject", "lighting", "pose")
OPTIONAL_PLACEHOLDERS = ("wardrobe", "industry_detail")
PLACEHOLDERS = frozenset(REQUIRED_PLACEHOLDERS + OPTIONAL_PLACEHOLDERS)
OTHER_INDUSTRY = "other"
INDUSTRY_OTHER_MAX_CHARS = 40
MAX_TEMPLATE_CHARS = 1000

# A template naming a gender would override the user's descriptor; these belong in
# {subject} and the per-descriptor {wardrobe}, never in template text.
GENDERED_WORDS = frozenset(
    "woman women man men girl girls boy boys lady ladies gentleman gentlemen female male "
    "she he her hers herself him his himself".split()
)

# The trigger must survive tokenisation as one rare token and never contain prompt syntax.
_TRIGGER_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_KEY_RE = re.compile(r"[a-z][a-z0-9_]*")
_MARKUP_RE = re.compile(r"<[^>]*>")
_SEPARATOR_RUN_RE = re.compile(r"([&/-])[&/-]+")


class PromptError(ValueError):
    """Base class for everything this module raises."""


class UnknownChoice(PromptError):
    """A category, subcategory, style, descriptor or industry key the catalogue lacks."""

    def __init__(self, field: str, value: object, choices: Iterable[str]):
        self.field = field
        self.value = value
        self.choices = tuple(choices)
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        super().__init__(f"Unknown {field} {shown}; expected one of: {', '.join(self.choices)}")


class InvalidTemplate(PromptError):
    """A template (from the TOML or an override) that fails ``validate_template``."""

    def __init__(self, problems: list[str], where: str = "template"):
        self.problems = problems
        super().__init__(f"Invalid {where}: " + "; ".join(problems))


class CatalogError(PromptError):
    """prompts.toml (or a dict standing in for it) is malformed; lists every problem found."""

    def __init__(self, problems: list[str], source: str):
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


@dataclass(frozen=True, slots=True)
class Subcategory:
    """One template record: what a DB row seeded from the TOML will hold."""

    category: str
    key: str
    label: str
    template: str
    wardrobe: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Category:
    key: str
    label: str
    lighting: str
    pose: str
    subcategories: tuple[Subcategory, ...]

    def subcategory(self, key: str) -> Subcategory:
        for sub in self.subcategories:
            if sub.key == key:
                return sub
        raise UnknownChoice(f"{self.label} subcategory", key, (s.key for s in self.subcategories))


@dataclass(frozen=True, slots=True)
class Catalog:
    categories: tuple[Category, ...]
    descriptors: Mapping[str, str]
    styles: Mapping[str, str]
    industries: Mapping[str, str]
    suffix: str

    def category(self, key: str) -> Category:
        for cat in self.categories:
            if cat.key == key:
                return cat
        raise UnknownChoice("category", key, (c.key for c in self.categories))

    def templates(self) -> Iterator[Subcategory]:
        """Every template record in display order (for seeding DB rows)."""
        for cat in self.categories:
            yield from cat.subcategories

    def subject(self, descriptor: str) -> str:
        return _choose(self.descriptors, descriptor, "descriptor")

    def style_modifier(self, style: str) -> str:
        # Blank means "not chosen yet" (Profile.style is blank=True): no modifier, not an error.
        return "" if style == "" else _choose(self.styles, style, "style")

    def industry_detail(self, industry: str, industry_other: str = "", *, trigger: str = "") -> str:
        if industry == "":
            return ""
        detail = _choose(self.industries, industry, "industry")
        if industry != OTHER_INDUSTRY:
            return detail
        words = sanitize_industry_other(industry_other)
        if trigger:
            # A letters-only trigger ("TOK") typed into the free text would appear twice;
            # CLIP lower-cases, so compare case-insensitively.
            words = " ".join(w for w in words.split() if w.casefold() != trigger.casefold())
        # Nothing usable left: drop the detail rather than print "the world of ".
        return detail.format(industry_other=words) if words else ""


def sanitize_industry_other(text: str, max_chars: int = INDUSTRY_OTHER_MAX_CHARS) -> str:
    """The user's free-text industry, reduced to letters, spaces and & - / (max ``max_chars``).

    It is pasted into a prompt, so anything that could act as prompt syntax (commas, braces,
    weights, markup) goes; unicode letters stay so "Pâtisserie" or "Ökologie" survive.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _MARKUP_RE.sub(" ", text)
    text = text.replace("'", "").replace("\u2019", "")  # "women's" -> "womens", not "women s"
    text = "".join(ch if ch.isalpha() or ch in " &-/" else " " for ch in text)
    text = _SEPARATOR_RUN_RE.sub(r"\1", text)
    text = " ".join(text.split())
    if len(text) > max_chars:
        cut = text[: max_chars + 1]
        text = cut.rsplit(" ", 1)[0] if " " in cut else text[:max_chars]
        text = text[:max_chars]
    return text.strip(" &-/")


def validate_template(text: str) -> list[str]:
    """Problems with a template, in plain words (empty list = fine); for the admin form too."""
    problems: list[str] = []
    if not text.strip():
        return ["The template is empty."]
    if len(text) > MAX_TEMPLATE_CHARS:
        problems.append(f"The template is longer than {MAX_TEMPLATE_CHARS} characters.")
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        return [*problems, f"Unbalanced braces: {exc}."]
    counts: dict[str, int] = {}
    for literal, field, spec, conversion in parsed:
        if "{" in literal or "}" in literal:
            problems.append("Braces are reserved for placeholders; remove '{{' or '}}'.")
        if field is None:
            continue
        if field not in PLACEHOLDERS:
            # Also rejects "{subject.__class__}" and "{0}": only plain names are allowed.
            problems.append(
                f"Unknown placeholder {{{field}}}; allowed: "
                + ", ".join(f"{{{p}}}" for p in sorted(PLACEHOLDERS))
                + "."
            )
            continue
        if spec or conversion:
            problems.append(f"Placeholder {{{field}}} must not carry a format spec or conversion.")
        counts[field] = counts.get(field, 0) + 1
    if counts.get("trigger", 0) != 1:
        problems.append(f"{{trigger}} must appear exactly once (found {counts.get('trigger', 0)}).")
    problems.extend(
        f"{{{name}}} is required." for name in REQUIRED_PLACEHOLDERS[1:] if name not in counts
    )
    literal_text = " ".join(p[0] for p in parsed).casefold()
    gendered = sorted(set(re.findall(r"[a-z]+", literal_text)) & GENDERED_WORDS)
    if gendered:
        problems.append(
            "Don't name a gender (" + ", ".join(gendered) + "); use {subject} and {wardrobe}."
        )
    if "raw photo" in literal_text:
        problems.append("Leave out the realism suffix; it is appended to every prompt.")
    return problems


def build_prompt(
    *,
    trigger: str,
    category: str,
    subcategory: str,
    style: str,
    descriptor: str,
    industry: str,
    industry_other: str = "",
    template: str | None = None,
    catalog: Catalog | None = None,
) -> str:
    """The full prompt for one generation. ``template`` overrides the catalogue's text (a
    DB-edited template); everything else (lighting, pose, wardrobe) still comes from the
    catalogue. ``style`` and ``industry`` may be "" (not chosen); ``descriptor`` may not.
    """
    catalog = catalog or load_catalog()
    if not isinstance(trigger, str) or not _TRIGGER_RE.fullmatch(trigger):
        raise PromptError(
            "The trigger word must be 1-64 letters, digits, '_' or '-', starting with a "
            "letter or digit."
        )
    cat = catalog.category(category)
    sub = cat.subcategory(subcategory)
    subject = catalog.subject(descriptor)
    modifier = catalog.style_modifier(style)
    detail = catalog.industry_detail(industry, industry_other, trigger=trigger)
    if template is not None:
        problems = validate_template(template)
        if problems:
            raise InvalidTemplate(problems)
    rendered = (sub.template if template is None else template).format(
        trigger=trigger,
        subject=subject,
        wardrobe=sub.wardrobe[descriptor],
        lighting=cat.lighting,
        pose=cat.pose,
        industry_detail=detail,
    )
    prompt = tidy(f"{rendered}, {modifier}, {catalog.suffix}")
    # The LoRA keys on the trigger; a second copy (e.g. trigger "photo") skews the likeness.
    found = len(_token_re(trigger).findall(prompt))
    if found != 1:
        raise PromptError(
            f"The trigger word appears {found} times in the prompt; choose a rarer trigger."
        )
    return prompt


def tidy(text: str) -> str:
    """Join comma-separated parts with exactly ", ", dropping empty parts and extra spaces.

    Empty optional values (no industry detail, no style) leave ", ," behind; this is the one
    place that cleans them, so templates can place placeholders freely.
    """
    parts = (" ".join(part.split()) for part in text.split(","))
    return ", ".join(part for part in parts if part)


def load_catalog(path: str | Path | None = None) -> Catalog:
    """The catalogue from ``path`` (default: prompts.toml beside this module), cached."""
    return _load_cached(Path(path).resolve() if path is not None else DEFAULT_PATH)


@lru_cache(maxsize=8)
def _load_cached(path: Path) -> Catalog:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError([f"not valid TOML: {exc}"], str(path)) from exc
    return catalog_from_dict(data, source=str(path))


def catalog_from_dict(data: Mapping[str, Any], *, source: str = "<catalog>") -> Catalog:
    """Build and validate a catalogue from parsed TOML (or equivalent rows)."""
    problems: list[str] = []

    def text(table: Mapping[str, Any], key: str, where: str) -> str:
        value = table.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{where}: '{key}' must be a non-empty string")
            return ""
        return value.strip()

    def string_table(name: str) -> dict[str, str]:
        table = data.get(name)
        if not isinstance(table, Mapping) or not table:
            problems.append(f"[{name}] must be a non-empty table")
            return {}
        for key in table:
            if not _KEY_RE.fullmatch(key):
                problems.append(f"[{name}]: key {key!r} must be lower_snake_case")
        return {key: text(table, key, f"[{name}]") for key in table}

    suffix = text(data, "suffix", "top level")
    descriptors = string_table("descriptors")
    styles = string_table("styles")
    industries = string_table("industries")
    for key, detail in industries.items():
        wanted = ["industry_other"] if key == OTHER_INDUSTRY else []
        fields = [f for _, f, _, _ in string.Formatter().parse(detail) if f is not None]
        if fields != wanted:
            problems.append(f"[industries].{key} must have placeholders {wanted}, not {fields}")
    if OTHER_INDUSTRY not in industries:
        problems.append(f"[industries] needs an '{OTHER_INDUSTRY}' entry")

    categories: dict[str, dict[str, Any]] = {}
    for i, raw in enumerate(_records(data, "categories", problems)):
        where = f"categories[{i}]"
        key = text(raw, "key", where)
        if not _KEY_RE.fullmatch(key) or key in categories:
            problems.append(f"{where}: key {key!r} must be lower_snake_case and unique")
        categories[key] = {
            "label": text(raw, "label", where),
            "lighting": text(raw, "lighting", where),
            "pose": text(raw, "pose", where),
            "subs": [],
        }
    if not categories:
        problems.append("no [[categories]]")

    for i, raw in enumerate(_records(data, "templates", problems)):
        where = f"templates[{i}]"
        cat_key, key = text(raw, "category", where), text(raw, "subcategory", where)
        where = f"template {cat_key}/{key}"
        body = text(raw, "template", where)
        found = raw.get("wardrobe")
        wardrobe: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
        problems.extend(f"{where}: {p}" for p in validate_template(body) if body)
        if set(wardrobe) != set(descriptors):
            problems.append(f"{where}: wardrobe must cover exactly {sorted(descriptors)}")
        if cat_key not in categories:
            problems.append(f"{where}: no category {cat_key!r}")
            continue
        subs = categories[cat_key]["subs"]
        if not _KEY_RE.fullmatch(key) or any(s.key == key for s in subs):
            problems.append(f"{where}: subcategory key must be lower_snake_case and unique")
        wardrobe_text = {d: text(wardrobe, d, f"{where} wardrobe") for d in descriptors}
        label = text(raw, "label", where)
        subs.append(Subcategory(cat_key, key, label, body, MappingProxyType(wardrobe_text)))
    empty = [k for k, c in categories.items() if not c["subs"]]
    problems.extend(f"category {k!r} has no templates" for k in empty)

    if problems:
        raise CatalogError(problems, source)
    return Catalog(
        categories=tuple(
            Category(k, c["label"], c["lighting"], c["pose"], tuple(c["subs"]))
            for k, c in categories.items()
        ),
        descriptors=MappingProxyType(descriptors),
        styles=MappingProxyType(styles),
        industries=MappingProxyType(industries),
        suffix=suffix,
    )


def _records(data: Mapping[str, Any], name: str, problems: list[str]) -> list[Mapping[str, Any]]:
    records = data.get(name) or []
    if not isinstance(records, list) or not all(isinstance(r, Mapping) for r in records):
        problems.append(f"[[{name}]] must be an array of tables")
        return []
    return records


def _choose(table: Mapping[str, str], key: str, field: str) -> str:
    if isinstance(key, str) and key in table:
        return table[key]
    raise UnknownChoice(field, key, tuple(table))


def _token_re(word: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])", re.IGNORECASE)
