"""The main pages, parsed with the standard library's HTML parser: one <h1> each, a label
for every visible form control, and the viewport meta that makes them usable on a phone."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from fundraiser.accounts import services as accounts
from tests.world import World, build_world, request_as

UNLABELLED_TYPES = {"hidden", "submit", "button", "image", "reset"}


@dataclass
class Control:
    tag: str
    attrs: dict[str, str | None]
    in_label: bool

    def describe(self) -> str:
        shown = {key: self.attrs.get(key) for key in ("name", "id", "type") if self.attrs.get(key)}
        return f"<{self.tag} {shown}>"


@dataclass
class PageOutline(HTMLParser):
    h1_count: int = 0
    has_viewport: bool = False
    label_targets: set[str] = field(default_factory=set)
    controls: list[Control] = field(default_factory=list)
    open_labels: int = 0

    def __post_init__(self) -> None:
        HTMLParser.__init__(self, convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "h1":
            self.h1_count += 1
        elif tag == "meta" and values.get("name") == "viewport":
            self.has_viewport = "width=device-width" in (values.get("content") or "")
        elif tag == "label":
            self.open_labels += 1
            if values.get("for"):
                self.label_targets.add(values["for"])
        elif tag in ("input", "select", "textarea"):
            self.controls.append(Control(tag, values, self.open_labels > 0))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self.open_labels:
            self.open_labels -= 1

    def visible_controls(self) -> list[Control]:
        return [
            control
            for control in self.controls
            if "hidden" not in control.attrs
            and not (
                control.tag == "input" and (control.attrs.get("type") or "text").lower() in UNLABELLED_TYPES
            )
        ]

    def duplicate_ids(self) -> list[str]:
        ids = [control.attrs["id"] for control in self.visible_controls() if control.attrs.get("id")]
        return sorted({value for value in ids if ids.count(value) > 1})

    def unlabelled(self) -> list[str]:
        missing = []
        for control in self.visible_controls():
            attrs = control.attrs
            if control.in_label or (attrs.get("id") and attrs["id"] in self.label_targets):
                continue
            missing.append(control.describe())
        return missing


def outline(html: str) -> PageOutline:
    parser = PageOutline()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture
def world(app, factories) -> World:
    return build_world(app, factories)


PAGES = [
    ("home", None, "/"),
    ("events", None, "/events"),
    ("an event", None, "/events/{w.ids[event]}"),
    ("causes", None, "/causes"),
    ("a cause", None, "/causes/{w.ids[cause]}"),
    ("a pledge page", None, "/{w.page.slug}"),
    ("a pledge page, as its owner", "owner", "/{w.page.slug}"),
    ("a team", "owner", "/teams/{w.team.slug}"),
    ("sign in", None, "/signin"),
    ("sign up", None, "/signup"),
    ("reset request", None, "/reset"),
    ("choose a new password", None, "/reset/{token}"),
    ("new pledge page form", "owner", "/pages/new"),
    ("edit pledge page form", "owner", "/{w.page.slug}/edit"),
    ("dashboard", "owner", "/me"),
    ("new team form", "owner", "/teams/new"),
    ("new event form", "organiser", "/events/new"),
    ("new cause form", "platform_admin", "/causes/new"),
    ("admin: people and roles", "platform_admin", "/admin"),
    ("donate form", None, "/{w.page.slug}/donate"),
    ("thank-you page", None, "/thank-you/{w.donation.public_id}"),
    ("my receipts", "donor", "/me/receipts"),
    ("refund form", "charity_admin", "/donations/{w.donation.public_id}/refund"),
    ("cause dashboard", "charity_admin", "/causes/{w.ids[cause]}/dashboard"),
    ("cause donations", "charity_admin", "/causes/{w.ids[cause]}/donations"),
    ("a missing page", None, "/no-such-page"),
]


@pytest.mark.parametrize(("name", "who", "path"), PAGES, ids=[page[0] for page in PAGES])
def test_page_has_one_h1_labels_for_every_field_and_a_viewport(app, world, name, who, path):
    url = path.format(w=world, token=accounts.make_reset_token(world.owner))
    response = request_as(app, world.person(who) if who else None, url)
    assert response.status_code == (404 if name == "a missing page" else 200), name
    page = outline(response.get_data(as_text=True))
    assert page.h1_count == 1, f"{name}: {page.h1_count} <h1> elements"
    assert page.has_viewport, f"{name}: no viewport meta"
    assert not page.unlabelled(), f"{name}: fields without a <label>: {page.unlabelled()}"
    assert not page.duplicate_ids(), f"{name}: a label can only point at one of {page.duplicate_ids()}"


def test_the_checker_notices_a_field_without_a_label():
    page = outline(
        '<meta name="viewport" content="width=device-width"><h1>A</h1><h1>B</h1>'
        '<label for="a">A</label><input id="a"><label>B <select name="b"></select></label>'
        '<input name="lonely"><input type="hidden" name="csrf"><textarea id="c"></textarea>'
    )
    assert page.h1_count == 2
    assert page.unlabelled() == ["<input {'name': 'lonely'}>", "<textarea {'id': 'c'}>"]
    assert outline('<label for="x">X</label><input id="x"><input id="x">').duplicate_ids() == ["x"]
