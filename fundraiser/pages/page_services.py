"""Pledge pages: create, edit, publish and unpublish, and the runner's dated updates."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from fundraiser.donations.giftaid import SponsorAddress, checked_sponsor_address
from fundraiser.models import Cause, Event, PageStatus, PageUpdate, PledgePage, User
from fundraiser.models.columns import utcnow
from fundraiser.pages.markdown import MAX_STORY_LENGTH, MAX_UPDATE_LENGTH, render_markdown
from fundraiser.pages.photos import PreparedPhoto, discard_after_commit
from fundraiser.pages.slugs import suggest_slug, unique_slug
from fundraiser.pages.validation import InvalidInput, free_slug, money_field

NOT_CONFIRMED = (
    "Confirm your email address before you publish: follow the link we emailed you "
    "(your account page can send it again). You can save your page as a draft meanwhile."
)
STORY_TOO_LONG = (
    f"Keep your story to {MAX_STORY_LENGTH:,} characters: shorten it, or post the rest as updates."
)
UPDATE_TOO_LONG = f"Keep an update to {MAX_UPDATE_LENGTH:,} characters: split it into two updates."


@dataclass
class PageInput:
    title: str
    story: str
    target: str
    slug: str = ""


def create_page(
    session: Session,
    runner: User,
    *,
    event_id: int | None,
    cause_id: int | None,
    details: PageInput,
    publish: bool = False,
    photo: PreparedPhoto | None = None,
    upload_folder: str = "",
) -> PledgePage:
    """A new pledge page for an open event and one of that event's causes."""
    errors: dict[str, str] = {}
    event, cause = _event_and_cause(session, event_id, cause_id, errors)
    currency = cause.default_currency if cause else "GBP"
    target = money_field(details.target, currency, "target", errors)
    _check_story_length(details, errors)
    slug = _page_slug(session, details, None, errors)
    if publish and not runner.has_confirmed_email:
        errors["status"] = NOT_CONFIRMED
    if errors:
        raise InvalidInput(errors)
    page = PledgePage(
        runner=runner,
        event=event,
        cause=cause,
        title=details.title.strip(),
        slug=slug,
        story_markdown=details.story or "",
        story_html=render_markdown(details.story or ""),
        target_amount=target,
        currency=currency,
        status=PageStatus.DRAFT,
        photo_path=photo.store(upload_folder) if photo else None,
    )
    session.add(page)
    if publish:
        publish_page(session, page)
    session.flush()
    return page


def _event_and_cause(
    session: Session, event_id: int | None, cause_id: int | None, errors: dict[str, str]
) -> tuple[Event | None, Cause | None]:
    """The chosen event, open for new pages, and one of its causes; what is wrong goes in `errors`."""
    event = session.get(Event, event_id) if event_id else None
    cause = session.get(Cause, cause_id) if cause_id else None
    if event is None:
        errors["event_id"] = "Choose an event."
    elif not event.is_open:
        errors["event_id"] = f"{event.name} is closed for new pages; choose an open event."
    if cause is None:
        errors["cause_id"] = "Choose a cause."
    elif event is not None and cause not in event.causes:
        names = ", ".join(c.name for c in event.causes) or "none yet"
        errors["cause_id"] = f"{event.name} supports: {names}. Choose one of those."
    return event, cause


def update_page(
    session: Session,
    page: PledgePage,
    details: PageInput,
    *,
    photo: PreparedPhoto | None = None,
    remove_photo: bool = False,
    upload_folder: str = "",
    sponsor: SponsorAddress | None = None,
) -> PledgePage:
    """Change a page's words, address, target and photo, and (for a UK cause) the runner's home
    address for Gift Aid. Event, cause and currency stay: donations already made were given for
    them."""
    errors: dict[str, str] = {}
    target = money_field(details.target, page.currency, "target", errors)
    if sponsor is not None:
        sponsor, sponsor_errors = checked_sponsor_address(sponsor)
        errors.update({f"sponsor_{name}": message for name, message in sponsor_errors.items()})
    _check_story_length(details, errors)
    slug = _page_slug(session, details, page.id, errors) if (details.slug or "").strip() else page.slug
    if errors:
        raise InvalidInput(errors)
    page.title = details.title.strip()
    page.slug = slug
    page.story_markdown = details.story or ""
    page.story_html = render_markdown(details.story or "")
    page.target_amount = target
    if sponsor is not None:
        page.sponsor_first_name = sponsor.first_name
        page.sponsor_last_name = sponsor.last_name
        page.sponsor_house_name_or_number = sponsor.house_name_or_number
        page.sponsor_postcode = sponsor.postcode
    if photo is not None or remove_photo:
        discard_after_commit(session, upload_folder, page.photo_path)
        page.photo_path = photo.store(upload_folder) if photo is not None else None
    session.flush()
    return page


def publish_page(session: Session, page: PledgePage) -> None:
    """Publish the page, or hold it for the charity's approval: only accounts that confirmed
    their email publish (a fresh account is how card testers get a page of their own), and a
    cause that asks for it approves a new runner's first page before it takes gifts."""
    if not page.runner.has_confirmed_email:
        raise InvalidInput({"status": NOT_CONFIRMED})
    if page.is_published:
        return
    if page.cause.approves_first_pages and not _has_had_a_published_page(session, page.runner.id):
        page.status = PageStatus.AWAITING_APPROVAL
    else:
        _go_live(page)
    session.flush()


def approve_page(session: Session, page: PledgePage) -> None:
    """A charity admin lets a page that was held for approval go live."""
    if not page.is_awaiting_approval:
        raise InvalidInput({"status": "This page is not waiting for approval."})
    _go_live(page)
    session.flush()


def _go_live(page: PledgePage) -> None:
    page.status = PageStatus.PUBLISHED
    if page.published_at is None:
        page.published_at = utcnow()


def _has_had_a_published_page(session: Session, runner_id: int) -> bool:
    """Whether the runner ever had a page live (approved, where approval was needed)."""
    return (
        session.scalar(
            select(PledgePage.id)
            .where(PledgePage.runner_id == runner_id, PledgePage.published_at.is_not(None))
            .limit(1)
        )
        is not None
    )


def unpublish_page(session: Session, page: PledgePage) -> None:
    page.status = PageStatus.DRAFT
    session.flush()


def post_update(session: Session, page: PledgePage, body: str) -> PageUpdate:
    """A dated update on a page, its Markdown sanitised like the story."""
    if not (body or "").strip():
        raise InvalidInput({"body": "Write your update before posting it."})
    if len(body) > MAX_UPDATE_LENGTH:
        raise InvalidInput({"body": UPDATE_TOO_LONG})
    update = PageUpdate(page=page, body_markdown=body, body_html=render_markdown(body), posted_at=utcnow())
    session.add(update)
    session.flush()
    return update


def _check_story_length(details: PageInput, errors: dict[str, str]) -> None:
    if len(details.story or "") > MAX_STORY_LENGTH:
        errors["story"] = STORY_TOO_LONG


def _page_slug(session: Session, details: PageInput, page_id: int | None, errors: dict[str, str]) -> str:
    if not (details.slug or "").strip():
        return unique_slug(session, PledgePage, suggest_slug(details.title))
    return free_slug(session, PledgePage, details.slug, page_id, errors)
