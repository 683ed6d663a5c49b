"""The prompt catalogue and builder. Pure Python: runs with ``pytest -p no:django``."""

import copy
import re
import tomllib

import pytest

from sselfie.studio.prompts import (
    DEFAULT_PATH,
    INDUSTRY_OTHER_MAX_CHARS,
    Catalog,
    CatalogError,
    InvalidTemplate,
    PromptError,
    UnknownChoice,
    build_prompt,
    catalog_from_dict,
    load_catalog,
    sanitize_industry_other,
    validate_template,
)

TRIGGER = "user_12345_trigger"
SUFFIX = (
    "raw photo, visible skin pores, film grain, unretouched natural skin texture, "
    "subsurface scattering, photographed on film"
)
SEED_CATEGORIES = {
    "Lifestyle": (
        ["Working", "Travel", "Home", "Social"],
        "natural, golden hour",
        "relaxed, candid",
    ),
    "Editorial": (
        ["Magazine Cover", "Fashion", "Business"],
        "studio lighting, dramatic",
        "powerful, confident",
    ),
    "Portrait": (
        ["Headshot", "Creative", "Professional"],
        "soft, flattering",
        "direct gaze, composed",
    ),
    "Story": (
        ["Journey", "Transformation", "Behind Scenes"],
        "moody, atmospheric",
        "emotional, authentic",
    ),
    "Luxury": (
        ["Yacht", "Villa", "Shopping", "Events"],
        "golden hour, premium",
        "elegant, sophisticated",
    ),
}
STYLES = ["minimal", "luxury", "bold", "classic", "natural", "edgy", "vibrant", "moody"]
INDUSTRIES = [
    "coaching", "consulting", "real_estate", "fitness", "beauty", "creative", "tech", "finance",
    "hospitality", "food", "health", "education", "law", "marketing", "other",
]  # fmt: skip
DESCRIPTORS = ["woman", "man", "person"]

# Words that would contradict the chosen descriptor (gendered nouns, pronouns, garments).
FEMININE = {
    "woman", "women", "she", "her", "hers", "lady", "girl", "female", "dress", "gown", "skirt",
    "blouse", "camisole", "kaftan", "handbag", "earrings", "hoops", "heels", "lipstick",
}  # fmt: skip
MASCULINE = {"man", "men", "he", "him", "his", "gentleman", "guy", "boy", "male", "tuxedo", "beard"}
FORBIDDEN = {"woman": MASCULINE, "man": FEMININE, "person": FEMININE | MASCULINE}

# (industry, industry_other) pairs each combination is rendered with.
INDUSTRY_CASES = [(key, "") for key in INDUSTRIES if key != "other"] + [
    ("", ""),
    ("other", "Sustainable packaging & e-commerce"),
    ("other", "<script>alert('x')</script>"),
    ("other", "yoga, pilates,, {trigger} ((masterpiece:1.4)) " + "very long text " * 30),
    ("other", "   ,,, !!! 123 "),
]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.casefold()))


def assert_well_formed(
    prompt: str, *, catalog: Catalog, category: str, style: str, descriptor: str
):
    cat = catalog.category(category)
    assert prompt.count(TRIGGER) == 1, prompt
    assert prompt.startswith(f"{TRIGGER} {descriptor} "), prompt
    assert cat.lighting in prompt, prompt
    assert cat.pose in prompt, prompt
    if style:
        assert catalog.styles[style] in prompt, prompt
    assert descriptor in words(prompt), prompt
    assert not words(prompt) & FORBIDDEN[descriptor], (
        words(prompt) & FORBIDDEN[descriptor],
        prompt,
    )
    assert prompt.endswith(SUFFIX), prompt
    assert prompt.count(SUFFIX) == 1, prompt
    for bad in ("{", "}", "<", ">", ",,", "  ", " ,", "\n"):
        assert bad not in prompt, (bad, prompt)
    assert prompt == prompt.strip()
    assert len(prompt.split()) < 200, "T5 reads 512 tokens; keep prompts well inside"


# --- The catalogue matches the seed ---------------------------------------------------------


def test_categories_match_the_seed_exactly(catalog):
    got = {
        cat.label: ([s.label for s in cat.subcategories], cat.lighting, cat.pose)
        for cat in catalog.categories
    }
    assert got == SEED_CATEGORIES
    assert [cat.label for cat in catalog.categories] == list(SEED_CATEGORIES)
    assert sum(len(cat.subcategories) for cat in catalog.categories) == 17


def test_choice_tables_cover_every_profile_key(catalog):
    assert list(catalog.styles) == STYLES
    assert list(catalog.industries) == INDUSTRIES
    assert list(catalog.descriptors) == DESCRIPTORS
    assert catalog.suffix == SUFFIX


def test_seed_style_modifiers_kept(catalog):
    assert catalog.styles["minimal"] == "minimalist aesthetic, clean lines"
    assert catalog.styles["bold"] == "dramatic contrast, powerful presence"


def test_templates_are_one_record_each_and_valid(catalog):
    records = list(catalog.templates())
    assert len(records) == 17
    assert len({(r.category, r.key) for r in records}) == 17
    for record in records:
        assert validate_template(record.template) == [], record
        assert set(record.wardrobe) == set(DESCRIPTORS)
        for descriptor, wardrobe in record.wardrobe.items():
            assert not words(wardrobe) & FORBIDDEN[descriptor], (record.key, descriptor)


def test_seed_prompts_are_adapted_not_lost(catalog):
    working = catalog.category("lifestyle").subcategory("working")
    assert "laptop at a beachfront cafe in Marbella" in working.template
    travel = catalog.category("lifestyle").subcategory("travel")
    assert "hotel balcony" in travel.template
    assert "flowing" in travel.wardrobe["woman"] and "dress" in travel.wardrobe["woman"]
    cover = catalog.category("editorial").subcategory("magazine_cover")
    assert "Hasselblad" in cover.template and "beauty dish" in cover.template
    assert all("black blazer" in w for w in cover.wardrobe.values())


# --- Every combination renders cleanly ------------------------------------------------------

COMBOS = [
    (cat.key, sub.key, descriptor)
    for cat in load_catalog().categories
    for sub in cat.subcategories
    for descriptor in DESCRIPTORS
]


@pytest.mark.parametrize(("category", "subcategory", "descriptor"), COMBOS)
def test_every_style_and_industry_renders_cleanly(catalog, category, subcategory, descriptor):
    for style in [*STYLES, ""]:
        for industry, other in INDUSTRY_CASES:
            prompt = build_prompt(
                trigger=TRIGGER,
                category=category,
                subcategory=subcategory,
                style=style,
                descriptor=descriptor,
                industry=industry,
                industry_other=other,
            )
            assert_well_formed(
                prompt, catalog=catalog, category=category, style=style, descriptor=descriptor
            )


def test_industry_detail_reaches_scenes_that_use_it(catalog):
    prompt = build_prompt(
        trigger=TRIGGER, category="lifestyle", subcategory="working", style="minimal",
        descriptor="person", industry="coaching",
    )  # fmt: skip
    assert "with a notebook and a cup of coffee close at hand" in prompt
    assert prompt.index("minimalist aesthetic") < prompt.index("raw photo")


def test_builder_is_deterministic():
    kwargs = dict(
        trigger=TRIGGER, category="luxury", subcategory="yacht", style="bold",
        descriptor="man", industry="finance",
    )  # fmt: skip
    assert build_prompt(**kwargs) == build_prompt(**kwargs)


# --- The free-text industry -----------------------------------------------------------------


def other(text: str, trigger: str = TRIGGER) -> str:
    return build_prompt(
        trigger=trigger, category="story", subcategory="journey", style="moody",
        descriptor="woman", industry="other", industry_other=text,
    )  # fmt: skip


def test_other_industry_uses_the_users_words():
    assert "from the world of Sustainable packaging & e-commerce" in other(
        "Sustainable packaging & e-commerce"
    )


def test_other_industry_strips_markup_and_prompt_syntax():
    prompt = other("<script>alert('x')</script>, {trigger} ((nsfw:1.5)) [art]")
    assert "script" not in prompt
    assert "from the world of alert x trigger nsfw art," in prompt


def test_other_industry_is_capped_at_a_word_boundary():
    assert sanitize_industry_other("consulting " * 20) == "consulting consulting consulting"
    assert len(sanitize_industry_other("x" * 500)) == INDUSTRY_OTHER_MAX_CHARS
    for text in ("a" * 39 + " bcd", "word " * 50, "ä" * 100):
        assert len(sanitize_industry_other(text)) <= INDUSTRY_OTHER_MAX_CHARS


def test_other_industry_keeps_unicode_letters_and_joins_apostrophes():
    assert sanitize_industry_other("Pâtisserie & Café") == "Pâtisserie & Café"
    assert sanitize_industry_other("Women’s health / e--commerce") == "Womens health / e-commerce"
    assert sanitize_industry_other("\u202eevil\u200b text\x00") == "evil text"


def test_other_industry_with_nothing_usable_drops_the_detail():
    assert "world of" not in other(" 123, ,, !!! ")
    assert "world of" not in other("")


def test_other_industry_cannot_repeat_a_letters_only_trigger():
    prompt = other("tok shop TOK", trigger="TOK")
    assert len(re.findall(r"\btok\b", prompt, re.IGNORECASE)) == 1
    assert "from the world of shop" in prompt


# --- Unknown choices ------------------------------------------------------------------------

VALID = dict(
    trigger=TRIGGER, category="portrait", subcategory="headshot", style="classic",
    descriptor="person", industry="law",
)  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("category", "Portrait"),  # labels are for display; keys are the contract
        ("category", "nope"),
        ("subcategory", "yacht"),  # exists, but in another category
        ("style", "glam"),
        ("descriptor", ""),  # never default to a gender
        ("descriptor", "Woman"),
        ("industry", "astrology"),
    ],
)
def test_unknown_choices_raise_clearly(field, value):
    with pytest.raises(UnknownChoice) as info:
        build_prompt(**{**VALID, field: value})
    assert repr(value) in str(info.value)
    assert info.value.value == value
    assert info.value.choices


def test_unknown_choice_message_is_bounded():
    with pytest.raises(UnknownChoice) as info:
        build_prompt(**{**VALID, "style": "x" * 10_000})
    assert len(str(info.value)) < 300


@pytest.mark.parametrize("trigger", ["", "two words", "tok,", "{trigger}", "a" * 65, "-x", None])
def test_malformed_trigger_raises(trigger):
    with pytest.raises(PromptError):
        build_prompt(**{**VALID, "trigger": trigger})


def test_trigger_that_collides_with_prompt_words_raises():
    with pytest.raises(PromptError, match="appears 2 times"):
        build_prompt(**{**VALID, "trigger": "photo"})  # the suffix says "raw photo"


# --- Template overrides and validation ------------------------------------------------------


def test_override_template_flows_through_with_catalogue_context():
    prompt = build_prompt(**VALID, template="{trigger} {subject} in a library, {lighting}, {pose}")
    assert prompt.startswith(f"{TRIGGER} person in a library, soft, flattering, direct gaze")
    assert prompt.endswith(", timeless classic styling, tailored elegance, " + SUFFIX)


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("", "empty"),
        ("{subject} at a cafe, {lighting}, {pose}", "exactly once (found 0)"),
        ("{trigger} {trigger} {subject}, {lighting}, {pose}", "exactly once (found 2)"),
        ("{trigger} at a cafe, {lighting}, {pose}", "{subject} is required"),
        ("{trigger} {subject} at a cafe, {pose}", "{lighting} is required"),
        ("{trigger} {subject} at a cafe, {lighting}", "{pose} is required"),
        ("{trigger} woman at a cafe, {subject}, {lighting}, {pose}", "gender (woman)"),
        ("{trigger} {subject} in his office, {lighting}, {pose}", "gender (his)"),
        ("{trigger} {subject}, {lighting}, {pose}, raw photo", "realism suffix"),
        ("{trigger} {subject.__class__}, {lighting}, {pose}", "Unknown placeholder"),
        ("{trigger} {subject} {0}, {lighting}, {pose}", "Unknown placeholder {0}"),
        ("{trigger} {subject!r}, {lighting}, {pose}", "format spec"),
        ("{trigger} {subject:>40}, {lighting}, {pose}", "format spec"),
        ("{trigger} {subject} {{x}}, {lighting}, {pose}", "Braces are reserved"),
        ("{trigger} {subject, {lighting}, {pose}", "Unbalanced"),
        ("{trigger} {subject} }, {lighting}, {pose}", "Unbalanced"),
        ("{trigger} {subject}, {lighting}, {pose} " + "x" * 1000, "longer than"),
    ],
)
def test_validate_template_names_each_problem(template, problem):
    problems = validate_template(template)
    assert any(problem in p for p in problems), problems
    with pytest.raises(InvalidTemplate):
        build_prompt(**VALID, template=template)


def test_validate_template_accepts_optional_placeholders_anywhere():
    text = "{trigger} {subject}, {industry_detail}, wearing {wardrobe}, {lighting}, {pose}"
    assert validate_template(text) == []


def test_seed_prompt_verbatim_is_rejected_for_its_hard_coded_woman():
    seed = "{trigger} woman working on laptop at beachfront cafe in Marbella, morning golden light"
    problems = validate_template(seed)
    assert any("gender (woman)" in p for p in problems)
    assert any("{subject} is required" in p for p in problems)


# --- Loading --------------------------------------------------------------------------------


def raw_catalog() -> dict:
    with DEFAULT_PATH.open("rb") as fh:
        return tomllib.load(fh)


def test_load_catalog_is_cached():
    assert load_catalog() is load_catalog()
    assert load_catalog(DEFAULT_PATH) is load_catalog()


def test_load_catalog_from_another_path(tmp_path):
    path = tmp_path / "prompts.toml"
    path.write_bytes(DEFAULT_PATH.read_bytes())
    assert load_catalog(path) == load_catalog()
    bad = tmp_path / "bad.toml"
    bad.write_text("suffix = ")
    with pytest.raises(CatalogError, match="not valid TOML"):
        load_catalog(bad)


def broken(mutate) -> str:
    data = copy.deepcopy(raw_catalog())
    mutate(data)
    with pytest.raises(CatalogError) as info:
        catalog_from_dict(data)
    return str(info.value)


def test_catalog_rejects_template_without_trigger():
    def mutate(data):
        data["templates"][0]["template"] = "{subject} at a cafe, {lighting}, {pose}"

    assert "lifestyle/working: {trigger} must appear exactly once" in broken(mutate)


def test_catalog_rejects_missing_wardrobe_for_a_descriptor():
    def mutate(data):
        del data["templates"][3]["wardrobe"]["person"]

    assert "lifestyle/social: wardrobe must cover exactly" in broken(mutate)


def test_catalog_rejects_duplicate_subcategory_and_unknown_category():
    def dup(data):
        data["templates"].append(copy.deepcopy(data["templates"][0]))

    def unknown(data):
        data["templates"][0]["category"] = "sports"

    assert "lower_snake_case and unique" in broken(dup)
    assert "no category 'sports'" in broken(unknown)


def test_catalog_rejects_bad_industry_placeholders():
    def no_placeholder(data):
        data["industries"]["other"] = "in some other world"

    def stray_placeholder(data):
        data["industries"]["law"] = "with {trigger} books"

    assert "industries].other" in broken(no_placeholder)
    assert "industries].law" in broken(stray_placeholder)


def test_catalog_rejects_category_without_templates():
    def mutate(data):
        data["templates"] = [t for t in data["templates"] if t["category"] != "story"]

    assert "category 'story' has no templates" in broken(mutate)


def test_catalog_rejects_wrong_shapes():
    assert "[[templates]] must be an array of tables" in broken(
        lambda data: data.update(templates="nope")
    )
    assert "'suffix' must be a non-empty string" in broken(lambda data: data.update(suffix=""))
