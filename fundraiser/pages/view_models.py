"""The plain values the pages templates get: cards for lists, the full public pages of a
pledge page, an event, a cause and a team. No database object reaches a template."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from fundraiser.models import ImpactUnit, PageStatus
from fundraiser.money import money_text, percent_of

PAGE_SIZE = 24  # cards on one page of a listing


@dataclass(frozen=True)
class Paged:
    """One page of a long list, with what the template needs to link to its neighbours."""

    items: list
    number: int
    total_items: int
    size: int = PAGE_SIZE

    @property
    def total_pages(self) -> int:
        return max(1, -(-self.total_items // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.total_pages


@dataclass(frozen=True)
class Impact:
    count: int
    label: str
    unit_amount: int
    currency: str


@dataclass(frozen=True)
class Total:
    currency: str
    raised_amount: int
    donation_count: int


@dataclass(frozen=True)
class PageCard:
    """A pledge page in a list."""

    id: int
    slug: str
    title: str
    runner_name: str
    status: str
    currency: str
    target_amount: int
    raised_amount: int
    donation_count: int
    photo_url: str | None
    event_name: str
    cause_name: str
    team_slug: str | None = None

    @property
    def percent(self) -> int:
        return percent_of(self.raised_amount, self.target_amount)

    @property
    def raised_text(self) -> str:
        return money_text(self.raised_amount, self.currency)

    @property
    def target_text(self) -> str:
        return money_text(self.target_amount, self.currency, whole=True)

    @property
    def is_published(self) -> bool:
        return self.status == PageStatus.PUBLISHED

    @property
    def is_awaiting_approval(self) -> bool:
        return self.status == PageStatus.AWAITING_APPROVAL


@dataclass(frozen=True)
class UpdateView:
    posted_at: datetime
    body_html: str


@dataclass(frozen=True)
class DonorWallEntry:
    name: str
    amount: int | None
    currency: str
    message: str
    paid_at: datetime | None

    @property
    def amount_text(self) -> str:
        return money_text(self.amount, self.currency) if self.amount is not None else ""


@dataclass(frozen=True)
class CauseRef:
    slug: str
    name: str
    country: str


@dataclass(frozen=True)
class PageView:
    """Everything the public pledge page shows. `slug, id, currency, title, cause_name,
    cause_country` are what the donation panel relies on."""

    id: int
    slug: str
    title: str
    status: str
    currency: str
    story_html: str
    photo_url: str | None
    runner_id: int
    runner_name: str
    event_slug: str
    event_name: str
    event_starts_on: date
    cause: CauseRef
    target_amount: int
    raised_amount: int
    donation_count: int
    team_slug: str | None
    team_name: str | None
    cause_logo_url: str | None = None
    impact: list[Impact] = field(default_factory=list)
    updates: list[UpdateView] = field(default_factory=list)
    accepting_gifts: bool = True  # connect mode: False until the charity's account can take charges

    @property
    def cause_name(self) -> str:
        return self.cause.name

    @property
    def cause_country(self) -> str:
        return self.cause.country

    @property
    def cause_slug(self) -> str:
        return self.cause.slug

    @property
    def percent(self) -> int:
        return percent_of(self.raised_amount, self.target_amount)

    @property
    def is_published(self) -> bool:
        return self.status == PageStatus.PUBLISHED

    @property
    def is_awaiting_approval(self) -> bool:
        return self.status == PageStatus.AWAITING_APPROVAL


@dataclass(frozen=True)
class EventCard:
    id: int
    slug: str
    name: str
    starts_on: date
    place: str
    is_virtual: bool
    distance_m: int | None
    is_open: bool

    @property
    def where(self) -> str:
        return "Virtual" if self.is_virtual else self.place

    @property
    def distance_km(self) -> str:
        """Metres as kilometres without trailing zeros: 10000 -> "10", 21097 -> "21.097"."""
        if self.distance_m is None:
            return ""
        whole, rest = divmod(self.distance_m, 1000)
        return f"{whole}.{rest:03d}".rstrip("0").rstrip(".") if rest else str(whole)


@dataclass(frozen=True)
class EventView:
    event: EventCard
    description: str
    organiser_id: int | None
    causes: list[CauseRef]
    totals: list[Total]
    pages: Paged


@dataclass(frozen=True)
class UnitView:
    amount: int
    currency: str
    singular: str
    plural: str
    verb: str


@dataclass(frozen=True)
class CauseView:
    id: int
    slug: str
    name: str
    legal_name: str
    country: str
    registration_number: str
    website: str
    description: str
    logo_url: str | None
    units: list[UnitView]
    totals: list[Total]
    pages: Paged
    accepting_gifts: bool = True


@dataclass(frozen=True)
class TeamView:
    id: int
    slug: str
    name: str
    description: str
    captain_id: int
    captain_name: str
    currency: str
    target_amount: int
    raised_amount: int
    pages: list[PageCard]

    @property
    def percent(self) -> int:
        return percent_of(self.raised_amount, self.target_amount)


def impact_reached(raised: int, currency: str, units: list[ImpactUnit] | list[UnitView]) -> list[Impact]:
    """ "12 hot meals": whole units the raised money pays for, for units in the page's currency."""
    reached = []
    for unit in units:
        if unit.currency != currency or unit.amount <= 0:
            continue
        count = raised // unit.amount
        reached.append(Impact(count, unit.singular if count == 1 else unit.plural, unit.amount, currency))
    return reached
