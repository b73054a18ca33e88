"""Receipts: numbering, issuing, voiding and replacing, email state, year-end receipts.

Services take the session and plain values, flush, and never commit: the job, command or
view that calls them commits once.

Every change to a cause's receipts starts by locking that cause's counter row
(`UPDATE receipt_counters ... RETURNING`), so two jobs for the same cause run one after the
other: numbers come out without gaps, and "is there a receipt already?" is answered after
the lock, which makes issuing idempotent on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

import hashlib
import smtplib
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, undefer

from fundraiser.countries import COUNTRIES, tax_year_label, tax_year_of
from fundraiser.donations.giftaid import GIFT_AID_SHARED_FORM_LIMIT
from fundraiser.mail import send
from fundraiser.models import Cause, Donation, Receipt, ReceiptCounter, ReceiptRefusal
from fundraiser.receipts.render import renderer, void_stamp

LINK_SALT = "receipt-download"
MAX_EMAIL_ATTEMPTS = 8
CA_ADDRESS_MISSING = "Canadian official receipts need the donor's full address; this donation has none."


class ReceiptLinkExpired(Exception):
    """A genuine download link whose time is up."""


class ReceiptLinkInvalid(Exception):
    """A link we did not sign, or for a receipt that does not exist."""


# Numbering ---------------------------------------------------------------------------------


def cause_prefix(slug: str) -> str:
    """'hot-meals-leeds' -> 'HML'; a one-word slug gives its first three letters."""
    words = [word for word in slug.split("-") if word]
    if len(words) >= 2:
        return "".join(word[0] for word in words[:4]).upper()
    return (words[0] if words else "R")[:3].upper()


def display_number(slug: str, kind: str, number: int, tax_year: int | None = None) -> str:
    """'HM-000123' for a single receipt, 'HM-Y2026-00007' for a year-end one."""
    if kind == "annual":
        return f"{cause_prefix(slug)}-Y{tax_year}-{number:05d}"
    return f"{cause_prefix(slug)}-{number:06d}"


def _counter_update(cause_id: int, series: str, step: int):
    table = ReceiptCounter.__table__
    return (
        update(table)
        .where(table.c.cause_id == cause_id, table.c.series == series)
        .values(last_number=table.c.last_number + step)
        .returning(table.c.last_number)
    )


def lock_series(session: Session, cause_id: int, series: str) -> int:
    """Lock the cause's counter row until the transaction ends (creating it on first use)."""
    number = session.execute(_counter_update(cause_id, series, 0)).scalar_one_or_none()
    if number is None:
        dialect = session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        session.execute(
            insert(ReceiptCounter.__table__)
            .values(cause_id=cause_id, series=series, last_number=0)
            .on_conflict_do_nothing()
        )
        number = session.execute(_counter_update(cause_id, series, 0)).scalar_one()
    return number


def take_number(session: Session, cause_id: int, series: str) -> int:
    """The next number of the series; call `lock_series` first in the same transaction."""
    return session.execute(_counter_update(cause_id, series, 1)).scalar_one()


# Plain values a receipt is drawn from --------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    platform_name: str
    platform_address: str
    upload_folder: str


def settings() -> Settings:
    config = current_app.config
    return Settings(config["PLATFORM_NAME"], config["PLATFORM_ADDRESS"], config["UPLOAD_FOLDER"])


def local_day(moment: datetime, timezone: str) -> date:
    try:
        zone = ZoneInfo(timezone or "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return moment.astimezone(zone).date()


def place_of_issue(address: str) -> str:
    """The charity's locality from its registered address: '88 Maple Ave, Toronto, ON M5V 2T6,
    Canada' -> 'Toronto, ON'."""
    parts = [part.strip() for part in address.split(",") if part.strip()]
    if len(parts) < 3:
        return parts[0] if parts else ""
    region = parts[-2].split()[0] if parts[-2].split() else ""
    city = parts[-3]
    return f"{city}, {region}" if len(region) == 2 and region.isalpha() else city


def charity_values(cause: Cause) -> dict[str, Any]:
    return {
        "name": cause.name,
        "legal_name": cause.legal_name,
        "registration_number": cause.registration_number,
        "address": cause.address,
        "website": cause.website,
        "signatory_name": cause.signatory_name,
        "logo": f"upload:{cause.logo_path}" if cause.logo_path else None,
        "signature": f"upload:{cause.signature_path}" if cause.signature_path else None,
    }


def donor_values(donation: Donation) -> dict[str, Any]:
    declaration = donation.gift_aid_declaration
    if donation.address_line1:
        lines = [
            donation.address_line1,
            " ".join(p for p in (donation.address_city, donation.address_postcode) if p),
            donation.address_country,
        ]
    elif declaration is not None:
        lines = [f"{declaration.house_name_or_number} {declaration.address}".strip(), declaration.postcode]
    else:
        lines = []
    return {
        "name": donation.donor_name,
        "first_name": donation.donor_name.split()[0] if donation.donor_name.split() else "",
        "email": donation.donor_email,
        "address_lines": [line for line in lines if line],
    }


def refusal_reason(cause: Cause, donation: Donation) -> str:
    """Why this donation cannot have a receipt, or '' when it can."""
    if cause.country == "CA" and not (
        donation.address_line1 and donation.address_city and donation.address_postcode
    ):
        return CA_ADDRESS_MISSING
    return ""


def gift_aid_exclusion(donation: Donation) -> str:
    """Why HMRC would not allow Gift Aid on this gift despite a declaration, or ''. The same
    stricter reading as the charity's Gift Aid claim (reports.queries.gift_aid_filter)."""
    page = donation.page
    runner = page.runner if page is not None else None
    if donation.is_company:
        return "it was made by a company."
    if donation.currency != "GBP":
        return "it was not made in pounds sterling."
    if donation.refunded_amount or donation.disputed_amount:
        return "part of it was refunded."
    if donation.advantage_amount:
        return "the donor received an event entry or goods in return."
    if donation.amount > GIFT_AID_SHARED_FORM_LIMIT:
        return "a single gift on a shared sponsorship page may not exceed £500."
    if runner is not None and (
        donation.donor_user_id == runner.id or donation.donor_email.strip().lower() == runner.email.lower()
    ):
        return "it was the runner's own gift to their pledge page."
    return ""


def receipted_amount(donation: Donation) -> int:
    """What a receipt states: all the donor paid (the gift plus any fee cover, which also goes
    to the charity) less refunds. Disputes do not change a receipt."""
    return max(0, donation.charged_amount - donation.refunded_amount)


def single_receipt_data(
    cause: Cause,
    donation: Donation,
    *,
    amount: int,
    number: str,
    replaces_number: str | None,
    issued_at: datetime,
    config: Settings,
) -> dict[str, Any]:
    """The plain, JSON-ready values of one donation's receipt (stored with it)."""
    advantage = min(donation.advantage_amount or 0, amount)
    declaration = donation.gift_aid_declaration
    gift_aid = None
    if cause.country == "GB" and declaration is not None:
        gift_aid = {
            "excluded_because": gift_aid_exclusion(donation),
            "name": " ".join(
                p for p in (declaration.title, declaration.first_name, declaration.last_name) if p
            ),
            "wording": declaration.wording,
            "declared_on": local_day(declaration.declared_at, cause.timezone).isoformat(),
            "covers_past_and_future": declaration.covers_past_and_future,
        }
    page = donation.page
    return {
        "kind": "single",
        "country": cause.country,
        "locale": COUNTRIES[cause.country].locale,
        "page_size": COUNTRIES[cause.country].page_size,
        "number": number,
        "replaces_number": replaces_number,
        "charity": charity_values(cause),
        "platform": {"name": config.platform_name, "address": config.platform_address},
        "donor": donor_values(donation),
        "gift_date": local_day(donation.paid_at, cause.timezone).isoformat(),
        "issue_date": local_day(issued_at, cause.timezone).isoformat(),
        "place_of_issue": place_of_issue(cause.address),
        "currency": donation.currency,
        "amount": amount,
        "advantage_amount": advantage,
        "advantage_description": donation.advantage_description if advantage else "",
        "eligible_amount": amount - advantage,
        "gift_aid": gift_aid,
        "page_title": page.title if page is not None else "",
        "event_name": page.event.name if page is not None and page.event is not None else "",
    }


def draw_pdf(receipt: Receipt, config: Settings) -> None:
    """Render the receipt's stored values into its PDF bytes and fingerprint."""
    pdf = renderer(config.upload_folder).pdf(receipt.data)
    receipt.pdf = pdf
    receipt.pdf_sha256 = hashlib.sha256(pdf).hexdigest()


# Issuing, voiding, replacing ---------------------------------------------------------------


def receipts_of_donation(session: Session, donation_id: int) -> list[Receipt]:
    return list(
        session.scalars(
            select(Receipt)
            .where(Receipt.donation_id == donation_id, Receipt.kind == "single")
            .order_by(Receipt.id)
            .execution_options(populate_existing=True)
        )
    )


def current_receipt(session: Session, donation_id: int) -> Receipt | None:
    """The donation's receipt in force: the latest one not voided."""
    live = [r for r in receipts_of_donation(session, donation_id) if r.voided_at is None]
    return live[-1] if live else None


def issue_receipt(session: Session, donation_id: int, *, now: datetime | None = None) -> Receipt | None:
    """Issue the receipt of a paid donation. Returns the new receipt, or None when there is
    nothing to issue (not paid, fully refunded, refused, or issued already)."""
    donation = session.get(Donation, donation_id)
    if donation is None or donation.paid_at is None or donation.status not in Donation.COUNTED_STATUSES:
        return None
    if receipts_of_donation(session, donation_id):
        return None
    cause = session.get(Cause, donation.cause_id)
    lock_series(session, cause.id, "single")
    donation = session.get(Donation, donation_id, populate_existing=True)
    if receipts_of_donation(session, donation_id):
        return None  # another job issued it while we waited for the lock
    amount = receipted_amount(donation)
    if amount <= 0:
        return None
    reason = refusal_reason(cause, donation)
    if reason:
        record_refusal(session, donation, reason)
        return None
    refusal = session.scalar(select(ReceiptRefusal).where(ReceiptRefusal.donation_id == donation_id))
    if refusal is not None:
        session.delete(refusal)
    return _issue_single(session, cause, donation, amount, replaces=None, now=now)


def donations_owed_a_receipt(session: Session, since: datetime) -> list[int]:
    """Paid donations since `since` with no receipt and no recorded refusal, oldest first:
    what a lost receipt job (a crash between the payment's commit and the queueing) leaves."""
    has_receipt = select(Receipt.id).where(Receipt.donation_id == Donation.id, Receipt.kind == "single")
    refused = select(ReceiptRefusal.id).where(ReceiptRefusal.donation_id == Donation.id)
    return list(
        session.scalars(
            select(Donation.id)
            .where(
                Donation.status == "paid",
                Donation.paid_at >= since,
                ~has_receipt.exists(),
                ~refused.exists(),
            )
            .order_by(Donation.paid_at, Donation.id)
        )
    )


def record_refusal(session: Session, donation: Donation, reason: str) -> None:
    refusal = session.scalar(select(ReceiptRefusal).where(ReceiptRefusal.donation_id == donation.id))
    if refusal is None:
        session.add(ReceiptRefusal(donation_id=donation.id, cause_id=donation.cause_id, reason=reason))
    else:
        refusal.reason = reason
    session.flush()


def _issue_single(
    session: Session,
    cause: Cause,
    donation: Donation,
    amount: int,
    *,
    replaces: Receipt | None,
    now: datetime | None,
) -> Receipt:
    now = now or datetime.now(UTC)
    number = take_number(session, cause.id, "single")
    number_text = display_number(cause.slug, "single", number)
    data = single_receipt_data(
        cause,
        donation,
        amount=amount,
        number=number_text,
        replaces_number=replaces.display_number if replaces is not None else None,
        issued_at=now,
        config=settings(),
    )
    receipt = Receipt(
        cause_id=cause.id,
        number=number,
        display_number=number_text,
        kind="single",
        donation_id=donation.id,
        donor_email=donation.donor_email.strip().lower(),
        donor_user_id=donation.donor_user_id,
        gift_tax_year=tax_year_of(cause.country, local_day(donation.paid_at, cause.timezone)),
        amount=amount,
        currency=donation.currency,
        replaces_id=replaces.id if replaces is not None else None,
        issued_at=now,
        data=data,
        email_status="pending",
    )
    draw_pdf(receipt, settings())
    session.add(receipt)
    session.flush()
    return receipt


def apply_refund(session: Session, donation_id: int, *, now: datetime | None = None) -> Receipt | None:
    """Bring the donation's receipt in line with its refunds: a full refund voids it; a partial
    one voids it and issues a replacement for the amount kept (returned, to be emailed)."""
    donation = session.get(Donation, donation_id)
    if donation is None:
        return None
    lock_series(session, donation.cause_id, "single")
    donation = session.get(Donation, donation_id, populate_existing=True)
    current = current_receipt(session, donation_id)
    kept = receipted_amount(donation)
    if current is None or kept >= current.amount:
        return None
    now = now or datetime.now(UTC)
    cause = session.get(Cause, donation.cause_id)
    if kept == 0:
        void_receipt(session, current, "The donation was refunded in full.", now=now)
        return None
    replacement = _issue_single(session, cause, donation, kept, replaces=current, now=now)
    void_receipt(
        session,
        current,
        f"Part of the donation was refunded; replaced by receipt {replacement.display_number}.",
        now=now,
    )
    return replacement


def void_receipt(session: Session, receipt: Receipt, reason: str, *, now: datetime | None = None) -> None:
    """Mark a receipt void. Its stored PDF is kept unchanged as the charity's copy."""
    if receipt.voided_at is not None:
        return
    receipt.voided_at = now or datetime.now(UTC)
    receipt.void_reason = reason[:255]
    if receipt.email_status in ("pending", "failed"):
        receipt.email_status = "not_needed"
    session.flush()


def void_copy_pdf(receipt: Receipt) -> bytes:
    """The voided receipt drawn again from its stored values with a VOID stamp."""
    config = settings()
    stamp = void_stamp(receipt.voided_at, receipt.void_reason, receipt.data["locale"])
    return renderer(config.upload_folder).pdf(receipt.data, void=stamp)


# Download links -----------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=LINK_SALT)


def download_token(receipt_id: int, *, expires_at: datetime | None = None) -> str:
    """A signed token naming the receipt and when the link stops working."""
    if expires_at is None:
        days = current_app.config["RECEIPT_LINK_DAYS"]
        expires_at = datetime.now(UTC) + timedelta(days=days)
    return _serializer().dumps({"r": receipt_id, "e": int(expires_at.timestamp())})


def download_url(receipt_id: int, *, expires_at: datetime | None = None) -> str:
    """The absolute link for emails (jobs have no request to build URLs from)."""
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return f"{base}/receipts/{download_token(receipt_id, expires_at=expires_at)}.pdf"


def receipt_for_token(session: Session, token: str, *, now: datetime | None = None) -> Receipt:
    try:
        payload = _serializer().loads(token)
        receipt_id, expires = int(payload["r"]), int(payload["e"])
    except (BadSignature, KeyError, TypeError, ValueError) as error:
        raise ReceiptLinkInvalid from error
    if (now or datetime.now(UTC)).timestamp() > expires:
        raise ReceiptLinkExpired
    receipt = session.scalar(select(Receipt).options(undefer(Receipt.pdf)).where(Receipt.id == receipt_id))
    if receipt is None or receipt.pdf is None:
        raise ReceiptLinkInvalid
    return receipt


def receipt_link_for_donation(session: Session, donation_id: int) -> str | None:
    """The download link of a donation's receipt in force, for the thank-you page."""
    receipt = current_receipt(session, donation_id)
    return download_url(receipt.id) if receipt is not None else None


def pdf_filename(receipt: Receipt) -> str:
    suffix = "-VOID" if receipt.voided_at else ""
    return f"receipt-{receipt.display_number}{suffix}.pdf"


# Email ----------------------------------------------------------------------------------------


def email_backoff(attempts: int) -> timedelta:
    """5 min, 15 min, 45 min, ... capped at a day."""
    return timedelta(minutes=min(5 * 3 ** max(attempts - 1, 0), 24 * 60))


def send_receipt_email(session: Session, receipt_id: int, *, now: datetime | None = None) -> bool:
    """Email the receipt with its PDF attached. A failure is recorded with the next attempt's
    time; the receipt itself is untouched. Returns whether it is delivered (or not needed)."""
    from fundraiser.receipts.mail import receipt_mail

    receipt = session.scalar(select(Receipt).options(undefer(Receipt.pdf)).where(Receipt.id == receipt_id))
    if receipt is None or receipt.email_status in ("sent", "not_needed") or receipt.pdf is None:
        return True
    now = now or datetime.now(UTC)
    receipt.email_attempts += 1
    try:
        send(receipt_mail(receipt, download_url(receipt.id)))
    except (OSError, smtplib.SMTPException) as error:
        receipt.email_status = "failed"
        receipt.email_error = f"{type(error).__name__}: {error}"[:1000]
        receipt.email_next_attempt_at = now + email_backoff(receipt.email_attempts)
        session.flush()
        return False
    receipt.email_status = "sent"
    receipt.email_error = ""
    receipt.email_next_attempt_at = None
    session.flush()
    return True


def receipt_emails_due(
    session: Session, *, now: datetime | None = None, everything: bool = False
) -> list[int]:
    """Failed receipt emails whose back-off has passed (all failed ones with `everything`)."""
    query = select(Receipt.id).where(
        Receipt.email_status == "failed", Receipt.email_attempts < MAX_EMAIL_ATTEMPTS
    )
    if not everything:
        query = query.where(Receipt.email_next_attempt_at <= (now or datetime.now(UTC)))
    return list(session.scalars(query.order_by(Receipt.id)))


@dataclass(frozen=True)
class FailedReceiptEmail:
    receipt_id: int
    number: str
    donor_email: str
    attempts: int
    error: str
    issued_at: datetime
    next_attempt_at: datetime | None


def failed_receipt_emails(session: Session, cause_id: int) -> list[FailedReceiptEmail]:
    """Receipts of a cause whose email has not gone out, for the charity dashboard."""
    rows = session.execute(
        select(
            Receipt.id,
            Receipt.display_number,
            Receipt.donor_email,
            Receipt.email_attempts,
            Receipt.email_error,
            Receipt.issued_at,
            Receipt.email_next_attempt_at,
        )
        .where(Receipt.cause_id == cause_id, Receipt.email_status == "failed")
        .order_by(Receipt.issued_at)
    )
    return [FailedReceiptEmail(*row) for row in rows]


# Year-end receipts ----------------------------------------------------------------------------


def annual_gifts(
    session: Session, cause_id: int, year: int, donor_email: str, *, user_id: int | None = None
) -> list[Receipt]:
    """The donor's receipts in force for gifts to the cause in the tax year."""
    donor = Receipt.donor_email == donor_email.strip().lower()
    if user_id is not None:
        donor = or_(donor, Receipt.donor_user_id == user_id)
    return list(
        session.scalars(
            select(Receipt)
            .where(
                Receipt.cause_id == cause_id,
                Receipt.kind == "single",
                Receipt.voided_at.is_(None),
                Receipt.gift_tax_year == year,
                donor,
            )
            .order_by(Receipt.number)
        )
    )


def annual_receipt(session: Session, cause_id: int, year: int, donor_email: str) -> Receipt | None:
    return session.scalar(
        select(Receipt).where(
            Receipt.cause_id == cause_id,
            Receipt.kind == "annual",
            Receipt.tax_year == year,
            Receipt.donor_email == donor_email.strip().lower(),
        )
    )


def annual_receipt_data(
    cause: Cause, gifts: list[Receipt], *, year: int, number: str, issued_at: datetime, config: Settings
) -> dict[str, Any]:
    latest = gifts[-1].data
    currency = Counter(gift.currency for gift in gifts).most_common(1)[0][0]
    if any(gift.currency == cause.default_currency for gift in gifts):
        currency = cause.default_currency
    rows = [
        {
            "date": gift.data["gift_date"],
            "number": gift.display_number,
            "currency": gift.currency,
            "amount": gift.amount,
            "advantage_amount": gift.data.get("advantage_amount", 0),
            "eligible_amount": gift.data.get("eligible_amount", gift.amount),
            "gift_aid": bool(gift.data.get("gift_aid")) and not gift.data["gift_aid"].get("excluded_because"),
        }
        for gift in sorted(gifts, key=lambda g: (g.data["gift_date"], g.number))
    ]
    totals = []
    for code in sorted({row["currency"] for row in rows}, key=lambda c: (c != currency, c)):
        mine = [row for row in rows if row["currency"] == code]
        totals.append(
            {
                "currency": code,
                "amount": sum(row["amount"] for row in mine),
                "advantage_amount": sum(row["advantage_amount"] for row in mine),
                "eligible_amount": sum(row["eligible_amount"] for row in mine),
                "count": len(mine),
            }
        )
    main = totals[0]
    return {
        "kind": "annual",
        "country": cause.country,
        "locale": COUNTRIES[cause.country].locale,
        "page_size": COUNTRIES[cause.country].page_size,
        "number": number,
        "replaces_number": None,
        "charity": charity_values(cause),
        "platform": {"name": config.platform_name, "address": config.platform_address},
        "donor": latest["donor"],
        "tax_year": year,
        "tax_year_label": tax_year_label(cause.country, year),
        "issue_date": local_day(issued_at, cause.timezone).isoformat(),
        "place_of_issue": place_of_issue(cause.address),
        "currency": main["currency"],
        "amount": main["amount"],
        "advantage_amount": main["advantage_amount"],
        "eligible_amount": main["eligible_amount"],
        "show_advantage": cause.country in ("US", "CA") and any(row["advantage_amount"] for row in rows),
        "gifts": rows,
        "totals": totals,
    }


def reserve_annual_receipt(
    session: Session,
    cause: Cause,
    year: int,
    donor_email: str,
    *,
    user_id: int | None = None,
    now: datetime | None = None,
) -> Receipt | None:
    """Number and record the year-end receipt (without its PDF yet). None when it exists
    already or the donor gave nothing that year. The lock is held only for this short step."""
    donor_email = donor_email.strip().lower()
    if annual_receipt(session, cause.id, year, donor_email) is not None:
        return None
    lock_series(session, cause.id, "annual")
    if annual_receipt(session, cause.id, year, donor_email) is not None:
        return None
    gifts = annual_gifts(session, cause.id, year, donor_email, user_id=user_id)
    if not gifts:
        return None
    now = now or datetime.now(UTC)
    number = take_number(session, cause.id, "annual")
    number_text = display_number(cause.slug, "annual", number, year)
    data = annual_receipt_data(cause, gifts, year=year, number=number_text, issued_at=now, config=settings())
    receipt = Receipt(
        cause_id=cause.id,
        number=number,
        display_number=number_text,
        kind="annual",
        donor_email=donor_email,
        donor_user_id=user_id if user_id is not None else gifts[-1].donor_user_id,
        tax_year=year,
        amount=data["amount"],
        currency=data["currency"],
        issued_at=now,
        data=data,
        pdf=None,
        email_status="not_needed",
    )
    session.add(receipt)
    session.flush()
    return receipt


def make_annual_receipt(
    session: Session, cause: Cause, year: int, donor_email: str, *, user_id: int | None = None
) -> Receipt | None:
    """Year-end receipt on demand, numbered and drawn in one transaction."""
    receipt = reserve_annual_receipt(session, cause, year, donor_email, user_id=user_id)
    if receipt is not None:
        draw_pdf(receipt, settings())
        session.flush()
    return receipt


def annual_donors_to_do(session: Session, cause_id: int, year: int) -> list[str]:
    """Donor emails with gifts in the year and no year-end receipt yet."""
    done = select(Receipt.donor_email).where(
        Receipt.cause_id == cause_id, Receipt.kind == "annual", Receipt.tax_year == year
    )
    return list(
        session.scalars(
            select(Receipt.donor_email)
            .where(
                Receipt.cause_id == cause_id,
                Receipt.kind == "single",
                Receipt.voided_at.is_(None),
                Receipt.gift_tax_year == year,
                Receipt.donor_email.not_in(done),
            )
            .group_by(Receipt.donor_email)
            .order_by(func.min(Receipt.id))
        )
    )


def annual_receipts_undrawn(session: Session, cause_id: int, year: int) -> list[int]:
    """Year-end receipts numbered by a run that stopped before drawing their PDF."""
    return list(
        session.scalars(
            select(Receipt.id).where(
                Receipt.cause_id == cause_id,
                Receipt.kind == "annual",
                Receipt.tax_year == year,
                Receipt.pdf.is_(None),
            )
        )
    )


# The donor's own receipts -------------------------------------------------------------------


@dataclass(frozen=True)
class DonorReceipt:
    receipt_id: int
    number: str
    kind: str
    cause_name: str
    issued_on: date
    amount: int
    currency: str
    voided: bool
    tax_year: int | None


@dataclass(frozen=True)
class AnnualOffer:
    cause_id: int
    cause_name: str
    tax_year: int


def _donor_filter(email: str, user_id: int):
    return or_(Receipt.donor_email == email.strip().lower(), Receipt.donor_user_id == user_id)


def donor_receipts(session: Session, email: str, user_id: int) -> list[DonorReceipt]:
    """Every drawn receipt that belongs to the signed-in donor, newest first."""
    rows = session.execute(
        select(Receipt, Cause.name)
        .join(Cause, Cause.id == Receipt.cause_id)
        .where(_donor_filter(email, user_id), Receipt.pdf_sha256 != "")
        .order_by(Receipt.issued_at.desc(), Receipt.id.desc())
    )
    return [
        DonorReceipt(
            receipt_id=receipt.id,
            number=receipt.display_number,
            kind=receipt.kind,
            cause_name=cause_name,
            issued_on=receipt.issued_at.date(),
            amount=receipt.amount,
            currency=receipt.currency,
            voided=receipt.voided_at is not None,
            tax_year=receipt.tax_year,
        )
        for receipt, cause_name in rows
    ]


def annual_offers(session: Session, email: str, user_id: int) -> list[AnnualOffer]:
    """(cause, tax year) pairs where the donor has gifts but no year-end receipt yet."""
    rows = session.execute(
        select(Receipt.cause_id, Cause.name, Receipt.gift_tax_year)
        .join(Cause, Cause.id == Receipt.cause_id)
        .where(_donor_filter(email, user_id), Receipt.kind == "single", Receipt.voided_at.is_(None))
        .group_by(Receipt.cause_id, Cause.name, Receipt.gift_tax_year)
        .order_by(Receipt.gift_tax_year.desc(), Cause.name)
    )
    made = {
        (cause_id, year)
        for cause_id, year in session.execute(
            select(Receipt.cause_id, Receipt.tax_year).where(
                Receipt.kind == "annual", Receipt.donor_email == email.strip().lower()
            )
        )
    }
    return [AnnualOffer(c, name, year) for c, name, year in rows if (c, year) not in made]


def donor_may_have_annual(session: Session, email: str, user_id: int, cause_id: int, year: int) -> bool:
    return any(o.cause_id == cause_id and o.tax_year == year for o in annual_offers(session, email, user_id))
