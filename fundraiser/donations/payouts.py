"""What reaches the charity, and how: the operator's terms for a cause (platform fee, and in
single mode whether the operator collects as the charity's agent), what an agent owes a
charity (gifts less refunds, disputes and fees), and the payouts the operator recorded, so
the charity and the operator can reconcile both sides. Integer minor units per currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fundraiser.donations.fees import basis_points_text
from fundraiser.models import AgentPayout, Cause
from fundraiser.reports.figures import CurrencyTotals, currency_totals
from fundraiser.reports.periods import Period


@dataclass(frozen=True)
class CauseTerms:
    slug: str
    name: str
    legal_name: str
    country: str
    default_currency: str
    platform_fee_bps: int
    collected_by_agent: bool

    @property
    def platform_fee_text(self) -> str:
        return basis_points_text(self.platform_fee_bps)


def cause_terms(cause: Cause) -> CauseTerms:
    return CauseTerms(
        slug=cause.slug,
        name=cause.name,
        legal_name=cause.legal_name,
        country=cause.country,
        default_currency=cause.default_currency,
        platform_fee_bps=cause.platform_fee_bps,
        collected_by_agent=cause.collected_by_agent,
    )


def set_terms(session: Session, cause: Cause, *, platform_fee_bps: int, collected_by_agent: bool) -> None:
    """The operator's terms; gifts already charged keep the fee they were charged with."""
    cause.platform_fee_bps = platform_fee_bps
    cause.collected_by_agent = collected_by_agent
    session.flush()


def record_payout(
    session: Session,
    cause: Cause,
    *,
    paid_on: date,
    amount: int,
    bank_reference: str,
    recorded_by_id: int | None,
) -> AgentPayout:
    payout = AgentPayout(
        cause_id=cause.id,
        paid_on=paid_on,
        amount=amount,
        currency=cause.default_currency,
        bank_reference=bank_reference,
        recorded_by_id=recorded_by_id,
    )
    session.add(payout)
    session.flush()
    return payout


@dataclass(frozen=True)
class PayoutLine:
    paid_on: date
    amount: int
    currency: str
    bank_reference: str


@dataclass(frozen=True)
class OwedLine:
    """Per currency: what the agent collected and owes, what it paid on, and what is left."""

    currency: str
    gross: int
    refunds: int
    disputes: int
    fees: int
    platform_fees: int
    owed: int
    paid: int

    @property
    def balance(self) -> int:
        return self.owed - self.paid


@dataclass(frozen=True)
class AgentStatement:
    lines: list[OwedLine]
    payouts: list[PayoutLine]


def all_time() -> Period:
    """From the platform's first possible gift to the end of time, for running balances."""
    first, last = date(2000, 1, 1), date(9999, 12, 30)
    return Period(
        choice="custom",
        first=first,
        last=last,
        timezone="UTC",
        start=datetime(2000, 1, 1, tzinfo=UTC),
        end=datetime(9999, 12, 31, tzinfo=UTC),
    )


def agent_statement(session: Session, cause: Cause) -> AgentStatement:
    """Everything the agent collected for this cause since the start, against what it paid."""
    totals: list[CurrencyTotals] = currency_totals(session, cause.id, all_time())
    paid = dict(
        session.execute(
            select(AgentPayout.currency, func.sum(AgentPayout.amount))
            .where(AgentPayout.cause_id == cause.id)
            .group_by(AgentPayout.currency)
        ).all()
    )
    lines = [
        OwedLine(
            currency=t.currency,
            gross=t.gross,
            refunds=t.refunds,
            disputes=t.disputes,
            fees=t.fees,
            platform_fees=t.platform_fees,
            owed=t.net,
            paid=int(paid.pop(t.currency, 0) or 0),
        )
        for t in totals
    ]
    lines += [OwedLine(currency, 0, 0, 0, 0, 0, 0, int(amount or 0)) for currency, amount in paid.items()]
    payouts = session.scalars(
        select(AgentPayout)
        .where(AgentPayout.cause_id == cause.id)
        .order_by(AgentPayout.paid_on.desc(), AgentPayout.id)
    ).all()
    return AgentStatement(
        lines=lines,
        payouts=[PayoutLine(p.paid_on, p.amount, p.currency, p.bank_reference) for p in payouts],
    )
