"""Demo data for `make run`: three causes in three countries, two events, a dozen runners."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from flask import current_app
from PIL import Image, ImageDraw
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fundraiser.accounts.services import hash_password
from fundraiser.donations import pending, transitions
from fundraiser.models import (
    Benefit,
    Cause,
    CauseAdmin,
    Event,
    ImpactUnit,
    PageStatus,
    PageUpdate,
    PledgePage,
    Team,
    User,
)
from fundraiser.models.columns import utcnow
from fundraiser.pages.markdown import render_markdown

DEMO_PASSWORD = "demo-password"

CAUSES = [
    dict(
        slug="hot-meals-uk",
        name="Hot Meals UK",
        legal_name="Hot Meals UK (Charitable Trust)",
        country="GB",
        registration_number="1234567",
        default_currency="GBP",
        timezone="Europe/London",
        address="12 Kitchen Lane, Leeds LS1 4AP, United Kingdom",
        website="https://hotmeals.example.org.uk",
        description="Hot, nourishing meals for people sleeping rough across northern England.",
        signatory_name="Priya Shah, Treasurer",
        units=[
            (500, "GBP", "hot meal", "hot meals"),
            (2500, "GBP", "night in a shelter", "nights in a shelter"),
        ],
    ),
    dict(
        slug="clean-water-us",
        name="Clean Water Now",
        legal_name="Clean Water Now, Inc.",
        country="US",
        registration_number="12-3456789",
        default_currency="USD",
        timezone="America/New_York",
        address="400 Spring Street, Portland, OR 97204, USA",
        website="https://cleanwater.example.org",
        description="Wells and water filters for rural schools.",
        signatory_name="Dana Miller, Executive Director",
        units=[(2000, "USD", "water filter", "water filters")],
    ),
    dict(
        slug="trail-kids-canada",
        name="Trail Kids Canada",
        legal_name="Trail Kids Canada Society",
        country="CA",
        registration_number="123456789RR0001",
        default_currency="CAD",
        timezone="America/Toronto",
        address="88 Maple Avenue, Toronto, ON M5V 2T6, Canada",
        website="https://trailkids.example.ca",
        description="Running shoes and coaching for kids in northern communities.",
        signatory_name="Luc Tremblay, Director",
        units=[(6000, "CAD", "pair of running shoes", "pairs of running shoes")],
    ),
]

RUNNERS = [
    "Amara Okafor",
    "Ben Carter",
    "Chloe Martin",
    "Dev Patel",
    "Ella Nguyen",
    "Finn O'Brien",
    "Grace Kim",
    "Hugo Silva",
    "Isla Murray",
    "Jack Thompson",
    "Kate Lewis",
    "Leo Rossi",
]


def load_demo_data(session: Session) -> bool:
    """Insert the demo set once; returns False when causes already exist."""
    if session.scalar(select(func.count()).select_from(Cause)):
        return False
    causes = [_cause(session, spec) for spec in CAUSES]
    organiser = _user(session, "Olivia Organiser", "organiser@demo.test", is_event_organiser=True)
    admin = _user(session, "Charity Admin", "charity@demo.test")
    for cause in causes:
        session.add(CauseAdmin(user_id=admin.id, cause_id=cause.id))
    _user(session, "Platform Admin", "admin@demo.test", is_platform_admin=True)
    events = _events(session, organiser, causes)
    runners = [_user(session, name, f"{name.split()[0].lower()}@demo.test") for name in RUNNERS]
    _pages(session, runners, events, causes)
    first_page = session.scalar(select(PledgePage).order_by(PledgePage.id))
    update = "Week 6 of training: **15K** done without stopping. Thank you for every gift!"
    session.add(PageUpdate(page=first_page, body_markdown=update, body_html=render_markdown(update)))
    session.flush()
    _demo_benefits(session, causes)
    _demo_gifts(session)
    return True


def _events(session: Session, organiser: User, causes: list[Cause]) -> list[Event]:
    today = date.today()
    city_10k = Event(
        slug="city-10k",
        name="City 10K",
        starts_on=today + timedelta(days=45),
        place="Leeds",
        distance_m=10_000,
        organiser=organiser,
        causes=causes,
        description="A flat, fast 10K through the city centre.",
    )
    virtual = Event(
        slug="virtual-half",
        name="Virtual Half Marathon",
        starts_on=today + timedelta(days=90),
        is_virtual=True,
        distance_m=21_097,
        organiser=organiser,
        causes=causes,
        description="Run 21.1 km wherever you are, any time on the day.",
    )
    session.add_all([city_10k, virtual])
    session.flush()
    return [city_10k, virtual]


def _pages(session: Session, runners: list[User], events: list[Event], causes: list[Cause]) -> None:
    """One published page per runner, alternating events and causes; six UK runners in a team."""
    team = Team(
        slug="leeds-harriers",
        name="Leeds Harriers",
        captain=runners[0],
        target_amount=500_000,
        currency="GBP",
        description="Our club runs the City 10K together every year.",
    )
    session.add(team)
    for index, runner in enumerate(runners):
        cause = causes[index % 3]
        event = events[index % 2]
        first_name = runner.name.split()[0]
        story = f"I'm running the **{event.name}** for {cause.name}.\n\nEvery gift helps: {cause.description}"
        session.add(
            PledgePage(
                slug=f"{first_name.lower()}-runs-for-{cause.slug}",
                runner=runner,
                event=event,
                cause=cause,
                title=f"{first_name} runs for {cause.name}",
                story_markdown=story,
                story_html=render_markdown(story),
                target_amount=50_000 + index * 10_000,
                currency=cause.default_currency,
                status=PageStatus.PUBLISHED,
                published_at=utcnow(),
                team=team if cause.default_currency == "GBP" and index < 6 else None,
            )
        )
    session.flush()


def _demo_benefits(session: Session, causes: list[Cause]) -> None:
    """A thank-you in the US and in Canada, so receipts with goods and advantages can be tried."""
    offers = {"US": ("Race T-shirt", 1500, 5000), "CA": ("Entry to the post-race dinner", 4000, 10000)}
    for cause in causes:
        if cause.country in offers:
            description, value, threshold = offers[cause.country]
            session.add(
                Benefit(
                    cause_id=cause.id,
                    description=description,
                    currency=cause.default_currency,
                    fair_market_value=value,
                    min_gift_amount=threshold,
                )
            )
    session.flush()


def demo_signature(folder: str | Path, name: str = "demo-signature.png") -> str:
    """A drawn line standing in for the Canadian demo charity's uploaded signature image
    (demo data only: a real cause uploads its own signatory's)."""
    image = Image.new("RGB", (320, 90), "white")
    points = [(12, 70), (50, 20), (85, 62), (130, 25), (175, 66), (220, 30), (300, 45)]
    ImageDraw.Draw(image).line(points, fill="#102a6b", width=4)
    Path(folder).mkdir(parents=True, exist_ok=True)
    image.save(Path(folder) / name, format="PNG")
    return name


DONORS = [("Sam Rivers", "Go well!"), ("Priya Anand", ""), ("Tom Hughes", "Proud of you."), ("Mia Chen", "")]


def _demo_gifts(session: Session) -> None:
    """A few paid gifts per page so totals, donor walls and the charity dashboard have figures.
    They never went through Stripe: their PaymentIntent ids start with pi_demo_, and a refund
    of one is refused by the Stripe stand-in."""
    pages = session.scalars(select(PledgePage).order_by(PledgePage.id)).all()
    now = utcnow()
    for index, page in enumerate(pages):
        for step, (name, message) in enumerate(DONORS[: 1 + index % 4]):
            donation = pending.create_pending_donation(
                session,
                page,
                amount=(1 + step) * 1500 + index * 500,
                donor_name=name,
                donor_email=f"{name.split()[0].lower()}@donor.demo.test",
                message=message,
                is_anonymous=step == 3,
                address_line1="1 High Street",
                address_city="Toronto",
                address_postcode="M5V 2T6",
                address_country=page.cause.country,
            )
            if page.cause.country == "CA":
                donation.address_region = "ON"
            donation.stripe_payment_intent_id = f"pi_demo_{donation.public_id}"
            transitions.mark_paid(
                session, donation, charge_id=None, paid_at=now - timedelta(days=3 + 11 * step + index)
            )
    session.flush()


def _cause(session: Session, spec: dict) -> Cause:
    spec = dict(spec)
    units = spec.pop("units")
    cause = Cause(**spec)
    if cause.country == "CA":
        cause.signature_path = demo_signature(current_app.config["UPLOAD_FOLDER"])
    cause.impact_units = [ImpactUnit(amount=a, currency=c, singular=s, plural=p) for a, c, s, p in units]
    session.add(cause)
    session.flush()
    return cause


def _user(session: Session, name: str, email: str, **flags: bool) -> User:
    user = User(
        name=name,
        email=email,
        password_hash=hash_password(DEMO_PASSWORD),
        email_confirmed_at=utcnow(),
        **flags,
    )
    session.add(user)
    session.flush()
    return user
