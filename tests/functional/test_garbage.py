"""Garbage into every form and every URL: the answer is never a 500, and a refused form
leaves the database exactly as it was.

POST routes are read from app.url_map, so a new form is covered the day it appears. Each is
posted as the person allowed to use it (from the table in test_permissions), starting from
the valid form data there and breaking it in every way we could think of.
"""

from __future__ import annotations

import io
import re
import struct
import zlib
from collections.abc import Iterator
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from fundraiser.extensions import db
from fundraiser.models import User
from tests.functional.test_permissions import CASES, fill, tokens_for
from tests.world import World, build_world, request_as

# The webhook is not a form: it takes signed JSON from Stripe, and has its own tests.
NOT_FORMS = {"payments.stripe_webhook"}
# Forms that need nobody signed in and touch no object: where to post them, and valid data.
PUBLIC_FORMS = {
    "accounts.signup": (
        "/signup",
        {"name": "Gia Garbage", "email": "gia@example.com", "password": "long-enough-pw"},
    ),
    "accounts.signin": ("/signin", {"email": "{w.owner.email}", "password": "correct-horse-battery"}),
    "accounts.signout": ("/signout", {}),
    "accounts.reset_request": ("/reset", {"email": "{w.owner.email}"}),
}
HUGE = "x" * 100_000
UNICODE = "Zoë 🏃\u200d♀️ \u202eRTL\u202c e\u0301 \u200b 中文 𝕏 \ufeff"
NUMBERS = [
    "-1",
    "0",
    "-0.001",
    "1e309",
    "NaN",
    "inf",
    "-inf",
    "99999999999999999999999999",
    "1,2,3",
    "0x10",
    "١٢٣",
]
DATES = ["2024-02-30", "0000-01-01", "9999-99-99", "yesterday", "1-1-1", "2024-13-01", "-2024-01-01"]
FILE_INPUT = re.compile(r"<input[^>]*\btype=\"file\"[^>]*>")
NAME = re.compile(r"\bname=\"([^\"]+)\"")


def png_bomb() -> bytes:
    """A valid-looking PNG header claiming 50,000 x 50,000 pixels, with almost no data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


BAD_FILES = [
    ("text pretending to be a photo", b"not an image at all", "photo.jpg"),
    ("empty file", b"", "empty.png"),
    ("truncated JPEG", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "cut.jpg"),
    ("pixel bomb", png_bomb(), "bomb.png"),
    ("script with an image name", b"<script>alert(1)</script>", "x.svg"),
    ("name with a path", b"GIF89a", "../../etc/passwd"),
    ("too big for a photo", b"\xff\xd8\xff" + b"\x00" * (6 * 1024 * 1024), "big.jpg"),
]


def garbage(base: dict[str, str], file_fields: list[str]) -> Iterator[tuple[str, object]]:
    """(what, body) pairs: bodies are dicts, MultiDicts, or raw bytes with a content type."""
    fields = list(base) or ["value"]
    yield "empty body", {}
    yield "every field blank", dict.fromkeys(fields, "")
    yield "every field 100k characters", dict.fromkeys(fields, HUGE)
    yield "null bytes", {**base, **dict.fromkeys(fields, "a\x00b")}
    yield "control characters", {**base, **dict.fromkeys(fields, "\x01\x02\x1b[31m\x7f")}
    for number in NUMBERS:
        yield f"number {number!r}", {**base, **dict.fromkeys(fields, number)}
    for day in DATES:
        yield f"date {day!r}", {**base, **dict.fromkeys(fields, day)}
    for name in fields:
        yield f"missing {name}", {key: value for key, value in base.items() if key != name}
        yield f"{name} 100k characters", {**base, name: HUGE}
    yield "every field repeated", MultiDict([(key, value) for key in fields for value in ("1", "two", "")])
    yield "a file where text belongs", {key: (io.BytesIO(b"\x00\xff" * 50), "field.bin") for key in fields}
    for file_field in file_fields:
        for what, content, name in BAD_FILES:
            yield f"bad upload to {file_field}: {what}", {**base, file_field: (io.BytesIO(content), name)}
    yield "JSON instead of a form", (b'{"title": ["a", {"b": null}], "target": 1e999}', "application/json")
    yield "JSON list", (b"[1, 2, null]", "application/json")
    yield (
        "JSON with odd values",
        (b'{"payment_method": "pm_\\u0000x", "card": ["card_1"], "amount": -1}', "application/json"),
    )
    yield (
        "invalid UTF-8",
        (b"title=%FF%FE%00&target=%C0%AF&slug=%ED%A0%80", "application/x-www-form-urlencoded"),
    )
    yield "binary body", (bytes(range(256)) * 40, "application/octet-stream")
    yield (
        "broken multipart",
        (b'--xx\r\nContent-Disposition: form-data; name="a\r\n\r\n', "multipart/form-data; boundary=xx"),
    )
    # Last, as they may succeed and change the object: valid data in strange shapes.
    yield (
        "unicode everywhere",
        {**base, **{key: UNICODE for key in fields if key not in ("email", "password")}},
    )
    yield (
        "unexpected extra fields",
        {
            **base,
            "is_platform_admin": "y",
            "runner_id": "1",
            "raised_amount": "-500",
            "donation_count": "999999",
            "status": "published",
            "id": "1",
            "captain_id": "1",
        },
    )


def post_routes(app) -> list[str]:
    return sorted({rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods} - NOT_FORMS)


def form_for(endpoint: str) -> tuple[str | None, str, dict[str, str]]:
    """Who may post the form, where, and its valid data, as format strings over the world."""
    if endpoint in PUBLIC_FORMS:
        path, data = PUBLIC_FORMS[endpoint]
        return None, path, data
    cases = [case for case in CASES if case.endpoint == endpoint and case.method == "POST"]
    assert cases, f"{endpoint} takes POSTs but has no row in test_permissions.CASES"
    case = next((case for case in cases if not case.label), cases[0])
    return list(case.expect)[-1], case.path, case.data


@pytest.fixture
def world(app, factories) -> World:
    return build_world(app, factories)


def file_fields_of(app, user, path: str) -> list[str]:
    """The names of the file inputs on the form at `path`, as its user sees it."""
    response = request_as(app, user, path, "GET")
    if response.status_code != 200:
        return []
    inputs = FILE_INPUT.findall(response.get_data(as_text=True))
    return [match.group(1) for match in map(NAME.search, inputs) if match]


def count_rows() -> dict[str, int]:
    """Rows in every table, in one query."""
    counts = [
        sa.select(sa.func.count()).select_from(table).scalar_subquery().label(table.name)
        for table in db.metadata.sorted_tables
    ]
    with db.engine.connect() as conn:
        return dict(conn.execute(sa.select(*counts)).one()._mapping)


def count_admins(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(User).where(User.is_platform_admin))


def send(app, user, path: str, body) -> object:
    if isinstance(body, tuple):
        content, content_type = body
        return request_as(app, user, path, "POST", data=content, content_type=content_type)
    return request_as(app, user, path, "POST", data=body)


def test_every_form_route_has_a_poster(app):
    for endpoint in post_routes(app):
        form_for(endpoint)


@pytest.mark.parametrize(
    "endpoint",
    sorted({case.endpoint for case in CASES if case.method == "POST"} - NOT_FORMS | set(PUBLIC_FORMS)),
)
def test_garbage_posted_to_a_form_never_gives_a_500_or_half_written_rows(app, world, session, endpoint):
    if endpoint not in post_routes(app):
        pytest.fail(f"{endpoint} is in the table but no longer in app.url_map: remove its row")
    who, path_template, valid = form_for(endpoint)
    tokens = tokens_for(world)
    user = world.person(who) if who else None
    path = fill(path_template, world, tokens)
    base = {key: fill(value, world, tokens) for key, value in valid.items()}
    admins = count_admins(session)
    file_fields = file_fields_of(app, user, path)
    failures = []
    for what, body in garbage(base, file_fields):
        before = count_rows()
        response = send(app, user, path, body)
        if response.status_code >= 500:
            failures.append(f"{what}: {response.status_code}")
        elif response.status_code >= 400 and count_rows() != before:
            failures.append(f"{what}: refused with {response.status_code} but wrote rows")
    assert not failures, f"POST {path} ({endpoint}):\n" + "\n".join(failures)
    assert count_admins(session) == admins, "an extra form field must never grant a role"


# Integers past every column's range (32- and 64-bit, both signs), past Python's 4,300-digit
# limit for int(), and digits that str.isdigit() accepts but int() does not (or reads as 123).
HUGE_INTEGERS = [
    "99999999999999999999",
    "2147483648",
    "9223372036854775808",
    "-9223372036854775809",
    "9" * 5000,
    "%C2%B2",
    "%D9%A1%D9%A2%D9%A3",
    "1_000",
]
# Every query parameter that the app reads as a number.
INTEGER_QUERY_PARAMETERS = ["before", "page", "event", "amount", "year", "user_id", "id"]
PATH_GARBAGE = [
    "%00",
    "%FF%FE",
    "..%2F..%2Fetc%2Fpasswd",
    "a" * 3000,
    "'%20OR%201=1--",
    "-1",
    "0",
    "99999999999999999999999",
    "%F0%9F%8F%83",
    "NaN",
    "%0D%0ASet-Cookie:%20x=1",
    "%3Cscript%3E",
    "%25",
    *HUGE_INTEGERS,
]
QUERY_GARBAGE = [
    "page=-1&page=abc&q=%00&next=//evil.test&amount=NaN&from=2024-02-30&to=x&status=%00&event=abc"
    "&before=zzz&period=%FF&year=-5&cause=%00&kind=..%2F&token=%00&sort=%27",
    "page=99999999999999999999&amount=1e309&from=0000-00-00&to=9999-99-99&event=1e999&before=-1"
    "&period=custom&status=paid&q=" + "x" * 5000,
    "amount=%00&page=%F0%9F%8F%83&q=%25%5F%5C&from=%00&to=%00&status=&event=%00&before=%00",
]


QUERY_GARBAGE += [
    "&".join(f"{name}={number}" for name in INTEGER_QUERY_PARAMETERS) for number in HUGE_INTEGERS
]


def routes(app, method: str) -> list:
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if method in rule.methods and rule.endpoint != "static" and rule.endpoint not in NOT_FORMS
        ),
        key=lambda rule: rule.rule,
    )


def valid_values(world: World) -> dict[str, str]:
    """A real value for each URL argument name, so the other arguments can stay valid."""
    tokens = tokens_for(world)
    return {
        "slug": world.page.slug,
        "token": tokens["token"],
        "name": "0123456789abcdef0123456789abcdef.jpg",
        "public_id": world.donation.public_id,
        "user_id": str(world.owner.id),
        "team": world.team.slug,
    }


# The slug a route's first argument names, by the route's prefix, so the route gets past its
# lookup and the garbage reaches the code behind it.
SLUG_OWNERS = {"/causes/": "cause", "/events/": "event", "/teams/": "team"}


def values_for(rule, world: World, values: dict[str, str]) -> dict[str, str]:
    owner = next((kind for prefix, kind in SLUG_OWNERS.items() if rule.rule.startswith(prefix)), None)
    slug = world.ids.get(owner) or values.get(owner) if owner else None
    return {**values, "slug": slug} if slug else values


def garbage_urls(app, world: World, method: str = "GET") -> Iterator[str]:
    base_values = valid_values(world)
    for rule in routes(app, method):
        values = values_for(rule, world, base_values)
        for argument in sorted(rule.arguments) or [None]:
            for junk in PATH_GARBAGE if argument else [None]:
                path = rule.rule
                for name in rule.arguments:
                    value = junk if name == argument else quote(values.get(name, "x"), safe="")
                    path = path.replace(f"<{name}>", value)
                    for converter in ("int", "path", "string"):
                        path = path.replace(f"<{converter}:{name}>", value)
                yield path
        filled = rule.rule
        for name in rule.arguments:
            filled = filled.replace(f"<{name}>", quote(values.get(name, "x"), safe=""))
            for converter in ("int", "path", "string"):
                filled = filled.replace(f"<{converter}:{name}>", quote(values.get(name, "x"), safe=""))
        for query in QUERY_GARBAGE if method == "GET" else []:
            yield f"{filled}?{query}"


@pytest.mark.parametrize("who", ["anonymous", "platform_admin", "charity_admin"])
def test_garbage_in_urls_and_query_strings_never_gives_a_500(app, world, who):
    user = world.person(who)
    failures = []
    for url in garbage_urls(app, world):
        response = request_as(app, user, url, "GET")
        if response.status_code >= 500:
            failures.append(f"{response.status_code} GET {url[:200]}")
    assert not failures, "\n".join(failures)


def test_bad_uploads_reach_the_photo_field_of_the_pledge_page_form(app, world):
    assert file_fields_of(app, world.owner, "/pages/new"), "the new page form has a file input"


def test_garbage_in_the_urls_forms_post_to_never_gives_a_500(app, world):
    failures = []
    for url in garbage_urls(app, world, "POST"):
        response = request_as(app, world.platform_admin, url, "POST", data={"body": "x"})
        if response.status_code >= 500:
            failures.append(f"{response.status_code} POST {url[:200]}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("number", HUGE_INTEGERS)
def test_a_huge_position_in_the_donations_list_is_a_400_with_a_reason(app, world, number):
    """`?before=99999999999999999999` was a 500 (an integer overflow in the database)."""
    path = f"/causes/{world.ids['cause']}/donations?before={number}"
    response = request_as(app, world.charity_admin, path, "GET")
    assert response.status_code == 400
    assert "&#39;before&#39; must be a donation position" in response.get_data(as_text=True)
