"""Forms for pledge pages, updates, events, causes and teams. Field names match the keys
services use in InvalidInput, so a rule broken in a service lands next to its field."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from fundraiser.countries import COUNTRIES
from fundraiser.forms import BaseForm, NulFreeMeta
from fundraiser.models import PageStatus
from fundraiser.money import SUPPORTED_CURRENCIES
from fundraiser.pages.event_services import parse_distance_km
from fundraiser.pages.markdown import MAX_STORY_LENGTH, MAX_UPDATE_LENGTH
from fundraiser.pages.page_services import STORY_TOO_LONG, UPDATE_TOO_LONG
from fundraiser.pages.slugs import SlugError, validate_slug
from fundraiser.params import MAX_ID

CURRENCY_CHOICES = [SelectChoice(code) for code in SUPPORTED_CURRENCIES]


def slug_rules(form: Form, field: StringField) -> None:
    """The slug rules, checked with the rest of the form so every error shows at once."""
    if field.data:
        try:
            validate_slug(field.data)
        except SlugError as error:
            raise ValidationError(str(error)) from error


def distance_rules(form: Form, field: StringField) -> None:
    try:
        parse_distance_km(field.data)
    except ValueError as error:
        raise ValidationError(str(error)) from error


def optional_int(value: object) -> int | None:
    """Coerce an id from a form; empty, garbled or out-of-range values become None, which the
    service refuses with a message (a huge number must not reach the database)."""
    try:
        number = int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
    return number if number is not None and 0 < number <= MAX_ID else None


class PagesForm(BaseForm):
    """Base of the pages area's forms."""


class PageDetailsForm(PagesForm):
    title = StringField("Page title", validators=[DataRequired("Give your page a title."), Length(max=140)])
    slug = StringField("Web address", validators=[slug_rules])
    story = TextAreaField("Your story", validators=[Length(max=MAX_STORY_LENGTH, message=STORY_TOO_LONG)])
    target = StringField("Target", validators=[DataRequired("Enter a target, like 250 or 250.50.")])
    photo = FileField("Photo (optional)")


class NewPageForm(PageDetailsForm):
    event_id = SelectField("Event", coerce=optional_int, validate_choice=False)
    cause_id = SelectField("Cause", coerce=optional_int, validate_choice=False)
    status = RadioField(
        "When it is ready",
        choices=[
            SelectChoice(PageStatus.DRAFT, "Keep it as a draft for now"),
            SelectChoice(PageStatus.PUBLISHED, "Publish it now"),
        ],
        default=PageStatus.DRAFT,
    )


class EditPageForm(PageDetailsForm):
    remove_photo = BooleanField("Remove the current photo")
    # Shown for UK causes: the runner's name and home address for HMRC's sponsored-event line.
    sponsor_first_name = StringField("First name", validators=[Length(max=35)])
    sponsor_last_name = StringField("Last name", validators=[Length(max=35)])
    sponsor_house_name_or_number = StringField("House name or number", validators=[Length(max=80)])
    sponsor_postcode = StringField("Postcode", validators=[Length(max=10)])


class UpdateForm(PagesForm):
    body = TextAreaField(
        "Your update",
        validators=[
            DataRequired("Write your update before posting it."),
            Length(max=MAX_UPDATE_LENGTH, message=UPDATE_TOO_LONG),
        ],
    )


class ActionForm(PagesForm):
    """A button that changes something: only the CSRF token."""


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EventForm(PagesForm):
    name = StringField("Event name", validators=[DataRequired("Enter the event's name."), Length(max=160)])
    slug = StringField("Web address", validators=[DataRequired("Choose a web address name."), slug_rules])
    starts_on = DateField("Date", validators=[DataRequired("Enter the date as YYYY-MM-DD.")])
    place = StringField("Place", validators=[Length(max=160)])
    is_virtual = BooleanField("Virtual event (run anywhere)")
    distance_km = StringField("Distance in km", validators=[distance_rules])
    description = TextAreaField("Description", validators=[Length(max=10_000)])
    cause_ids = MultiCheckboxField("Causes supported", coerce=int)
    is_open = BooleanField("Open for new pledge pages", default=True)
    participant_benefit = BooleanField(
        "Runners get a benefit for their fundraising: the charity pays their entry or travel, or "
        "guarantees a place for a minimum raised"
    )


class ImpactUnitForm(Form):
    """One line of impact units; part of CauseForm, so it carries no CSRF token of its own."""

    Meta = NulFreeMeta

    amount = StringField("Amount", validators=[Length(max=20)])
    currency = SelectField("Currency", choices=CURRENCY_CHOICES, validate_choice=False)
    singular = StringField("One unit (singular)", validators=[Length(max=80)])
    plural = StringField("Several units (plural)", validators=[Length(max=80)])
    remove = BooleanField("Remove this line")


class CauseForm(PagesForm):
    name = StringField("Name", validators=[DataRequired("Enter the cause's name."), Length(max=160)])
    slug = StringField("Web address", validators=[DataRequired("Choose a web address name."), slug_rules])
    legal_name = StringField(
        "Legal name (as registered)", validators=[DataRequired("Enter the registered name."), Length(max=200)]
    )
    country = SelectField(
        "Country",
        choices=[SelectChoice(code, country.name) for code, country in COUNTRIES.items()],
        validate_choice=False,
    )
    registration_number = StringField(
        "Registration number", validators=[DataRequired("Enter the registration number."), Length(max=40)]
    )
    default_currency = SelectField("Default currency", choices=CURRENCY_CHOICES, validate_choice=False)
    address = TextAreaField("Address", validators=[Length(max=1000)])
    timezone = StringField("Time zone", default="Europe/London", validators=[DataRequired(), Length(max=60)])
    website = URLField(
        "Website",
        validators=[
            Optional(),
            URL(message="Enter a full address, like https://example.org."),
            Length(max=200),
        ],
    )
    description = TextAreaField("Short description", validators=[Length(max=5000)])
    logo = FileField("Logo (optional)")
    signatory_name = StringField("Authorised signatory's name", validators=[Length(max=120)])
    signature = FileField("Authorised signatory's signature (image)")
    impact_units = FieldList(FormField(ImpactUnitForm), min_entries=0, max_entries=20)
    smallest_gift = StringField(
        "Smallest gift, in the default currency (optional)", validators=[Length(max=20)]
    )
    approves_first_pages = BooleanField("Approve each new runner's first page before it takes gifts")


class CauseAdminForm(PagesForm):
    email = EmailField(
        "Email of the new charity admin",
        validators=[DataRequired("Enter an email."), Length(max=254)],
    )


class TeamForm(PagesForm):
    name = StringField("Team name", validators=[DataRequired("Enter the team's name."), Length(max=120)])
    slug = StringField("Web address", validators=[DataRequired("Choose a web address name."), slug_rules])
    description = TextAreaField("Description", validators=[Length(max=5000)])
    target = StringField("Team target", validators=[DataRequired("Enter a target, like 2000.")])
    currency = SelectField("Currency", choices=CURRENCY_CHOICES, validate_choice=False)


class TeamPageForm(PagesForm):
    page_id = HiddenField("Page")


class CausePaymentsForm(PagesForm):
    """The operator's terms for a cause's gifts (platform admins only)."""

    platform_fee_bps = IntegerField(
        "Platform fee, in basis points of each gift (100 = 1%)",
        validators=[
            InputRequired("Enter a fee, 0 for none."),
            NumberRange(0, 10_000, "Between 0 and 10000."),
        ],
    )
    collected_by_agent = BooleanField(
        "The operator collects this cause's gifts as its agent and pays them on"
    )


class AgentPayoutForm(PagesForm):
    """A payout the operator, as the charity's agent, made to the charity's bank."""

    paid_on = DateField("Date paid", validators=[InputRequired("Enter the date the money was paid.")])
    amount = StringField("Amount", validators=[DataRequired("Enter the amount paid."), Length(max=20)])
    bank_reference = StringField(
        "Bank reference", validators=[DataRequired("Enter the bank's reference."), Length(max=80)]
    )
