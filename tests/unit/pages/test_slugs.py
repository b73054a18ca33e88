import pytest

from fundraiser.pages.slugs import RESERVED_SLUGS, SlugError, suggest_slug, validate_slug


@pytest.mark.parametrize("slug", ["amara", "amara-runs-leeds", "10k-for-hot-meals", "a1b", "x" * 60])
def test_valid_slugs_are_accepted(slug):
    assert validate_slug(slug) == slug


def test_surrounding_spaces_are_trimmed():
    assert validate_slug("  amara-runs  ") == "amara-runs"


@pytest.mark.parametrize(
    ("slug", "reason"),
    [
        ("", "Enter"),
        ("ab", "between 3 and 60"),
        ("x" * 61, "between 3 and 60"),
        ("Amara", "lowercase"),
        ("-amara", "lowercase"),
        ("amara-", "lowercase"),
        ("amara--runs", "lowercase"),
        ("amara runs", "lowercase"),
        ("amara_runs", "lowercase"),
        ("amára", "lowercase"),
        ("../etc", "lowercase"),
    ],
)
def test_invalid_slugs_are_refused_with_a_reason(slug, reason):
    with pytest.raises(SlugError, match=reason):
        validate_slug(slug)


@pytest.mark.parametrize("word", sorted(RESERVED_SLUGS))
def test_every_reserved_word_is_refused(word):
    with pytest.raises(SlugError):
        validate_slug(word)


def test_reserved_list_covers_the_apps_own_paths():
    for word in (
        "admin",
        "events",
        "causes",
        "teams",
        "pages",
        "signin",
        "signup",
        "me",
        "uploads",
        "static",
        "healthz",
        "stripe",
        "donate",
        "receipts",
        "reports",
        "new",
        "edit",
        "thank-you",
    ):
        assert word in RESERVED_SLUGS


def test_reserved_word_gets_its_own_message():
    with pytest.raises(SlugError, match="used by the site"):
        validate_slug("events")


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Amara's 10K for Hot Meals!", "amaras-10k-for-hot-meals"),
        ("  Crème brûlée run  ", "creme-brulee-run"),
        ("Événements", "evenements"),
        ("Me", "me-page"),
        ("!!!", "my-page"),
        ("Events", "events-page"),
        ("word " * 30, ("word-" * 12).rstrip("-")),
    ],
)
def test_suggestions_are_valid_slugs(title, slug):
    suggestion = suggest_slug(title)
    assert suggestion == slug
    assert validate_slug(suggestion) == suggestion
