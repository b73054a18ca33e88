"""The donate form. What a field needs depends on the page: its currency sets the amounts,
a UK charity giving in GBP offers Gift Aid, a Canadian charity needs the donor's address."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from babel import Locale
from flask import request
from wtforms import BooleanField, EmailField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from fundraiser.countries import CA_PROVINCES, normalise_ca_postal_code
from fundraiser.donations.benefit_choice import NO_BENEFIT, BenefitOption, chosen_benefit_error
from fundraiser.donations.giftaid import NAME_LONGEST, TITLE_LONGEST, GiftAidDetails
from fundraiser.forms import BaseForm
from fundraiser.money import MoneyError, format_money, parse_amount, to_minor

OTHER = "other"
# Preset gifts in whole major units; a yen is worth about a hundredth of a pound.
PRESET_MAJOR_UNITS = {"JPY": (1000, 3000, 5000, 10000)}
DEFAULT_PRESETS = (10, 25, 50, 100)

UK_POSTCODE = re.compile(r"^(GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})$")


@dataclass(frozen=True)
class DonationContext:
    """What the form needs to know about the page it gives to."""

    currency: str
    cause_country: str
    min_amount: int
    max_amount: int
    offers_gift_aid: bool
    # HMRC Chapter 3.38: on an event whose runners get a benefit for their fundraising, gifts
    # from the runner's family are not claimable, so the donor is asked (only there).
    asks_runner_family: bool = False
    benefits: tuple[BenefitOption, ...] = ()

    @property
    def needs_address(self) -> bool:
        """CRA official receipts must carry the donor's full address."""
        return self.cause_country == "CA"


def preset_amounts(currency: str) -> list[int]:
    """The preset gifts for a currency, in minor units."""
    majors = PRESET_MAJOR_UNITS.get(currency, DEFAULT_PRESETS)
    return [to_minor(major, currency) for major in majors]


def new_attempt_token() -> str:
    """One per showing of the form; it becomes the donation's public id, so a retried or
    double-clicked POST of the same form finds the donation (and PaymentIntent) it made."""
    return secrets.token_hex(16)


def normalise_uk_postcode(text: str) -> str | None:
    """ "ls14ap" -> "LS1 4AP"; None when it cannot be a UK postcode."""
    compact = re.sub(r"\s+", "", (text or "").upper())
    if not UK_POSTCODE.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


NOT_COUNTRIES = {"ZZ", "EU", "EZ", "UN", "QO"}


def country_choices() -> list[SelectChoice]:
    """Every country Babel knows by its two-letter code, by English name."""
    territories = Locale("en", "GB").territories
    codes = [code for code in territories if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES]
    return sorted((SelectChoice(code, territories[code]) for code in codes), key=lambda choice: choice.label)


def _required(message: str) -> list:
    return [DataRequired(message)]


class DonateForm(BaseForm):
    attempt = HiddenField()
    amount_choice = RadioField("Amount", choices=[], validate_choice=False)
    other_amount = StringField("Other amount", validators=[Length(max=30)])
    donor_name = StringField("Your full name", validators=[*_required("Enter your name."), Length(max=120)])
    donor_email = EmailField(
        "Email (for your receipt)",
        validators=[
            *_required("Enter your email address, so we can send your receipt."),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Enter an email address like name@example.com."),
            Length(max=254),
        ],
    )
    message = TextAreaField("A message for the runner (optional)", validators=[Optional(), Length(max=1000)])
    visibility = RadioField(
        "On the page",
        choices=[
            SelectChoice("named", "Show my name with my gift"),
            SelectChoice("anonymous", "Give anonymously (shown as “Anonymous”)"),
        ],
        default="named",
        validate_choice=False,
    )
    cover_fees = BooleanField("Cover the fees so the charity gets the full gift")
    is_company = BooleanField("This is a company gift")

    address_line1 = StringField("Street address", validators=[Length(max=200)])
    address_city = StringField("Town or city", validators=[Length(max=120)])
    address_region = SelectField(
        "Province or territory",
        choices=[SelectChoice("", "Choose…")]
        + [SelectChoice(code, name) for code, name in CA_PROVINCES.items()],
        validate_choice=False,
    )
    address_postcode = StringField("Postal code", validators=[Length(max=20)])
    benefit = RadioField("A thank-you from the charity", choices=[], validate_choice=False)
    address_country = SelectField("Country", choices=[], validate_choice=False)

    gift_aid = BooleanField("Yes, add Gift Aid to my gift")
    gift_aid_past_and_future = BooleanField(
        "Also Gift Aid any donations I make in the future or have made in the past 4 years"
    )
    gift_aid_title = StringField(
        "Title (optional)",
        validators=[
            Length(
                max=TITLE_LONGEST,
                message="Use at most 4 characters for your title, like Prof or Rev (HMRC's limit).",
            )
        ],
        render_kw={"list": "gift-aid-titles", "autocomplete": "honorific-prefix"},
    )
    gift_aid_first_name = StringField(
        "First name",
        validators=[
            Length(
                max=NAME_LONGEST, message="HMRC takes at most 35 characters: use your first name or initial."
            )
        ],
    )
    gift_aid_last_name = StringField(
        "Last name",
        validators=[Length(max=NAME_LONGEST, message="HMRC takes at most 35 characters for a last name.")],
    )
    gift_aid_house = StringField("House name or number", validators=[Length(max=80)])
    gift_aid_address = StringField("Street and town", validators=[Length(max=255)])
    gift_aid_postcode = StringField("Postcode", validators=[Length(max=10)])
    gift_aid_runner_family = RadioField(
        "Are you a family member of the runner?",
        choices=[SelectChoice("no", "No"), SelectChoice("yes", "Yes")],
        validate_choice=False,
    )

    def __init__(self, context: DonationContext, *args, **kwargs) -> None:
        if request.method == "POST":
            # A gift has no files: read the text fields only, so a file sent in their place
            # is simply missing text, not an object the validators cannot measure.
            kwargs.setdefault("formdata", request.form)
        super().__init__(*args, **kwargs)
        self.context = context
        self.amount_minor: int | None = None
        # Set when the card processor, not the donor, stopped the gift (answered with 503).
        self.gateway_failed = False
        presets = preset_amounts(context.currency)
        self.amount_choice.choices = [
            SelectChoice(str(minor), format_money(minor, context.currency, whole=True)) for minor in presets
        ] + [SelectChoice(OTHER, "Other amount")]
        self.address_country.choices = country_choices()
        self.benefit.choices = [
            SelectChoice(NO_BENEFIT, "No thank you: all of my gift goes to the cause")
        ] + [SelectChoice(str(option.id), option.label) for option in context.benefits]
        if not self.benefit.data:
            self.benefit.data = NO_BENEFIT
        if not self.address_country.data:
            self.address_country.data = context.cause_country
        if not self.attempt.data:
            self.attempt.data = new_attempt_token()

    @property
    def anonymous(self) -> bool:
        return self.visibility.data == "anonymous"

    @property
    def wants_gift_aid(self) -> bool:
        return self.context.offers_gift_aid and bool(self.gift_aid.data)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        checks = (
            self._check_attempt,
            self._check_amount,
            self._check_visibility,
            self._check_address,
            self._check_benefit,
        )
        results = [check() for check in checks]
        if self.context.offers_gift_aid:
            results.append(self._check_gift_aid())
        return valid and all(results)

    def _check_attempt(self) -> bool:
        token = self.attempt.data or ""
        if not re.fullmatch(r"[0-9a-f]{32}", token):
            self.attempt.data = new_attempt_token()
            self.form_errors.append("This form has expired. Please check the details and give again.")
            return False
        return True

    def _check_amount(self) -> bool:
        choice = (self.amount_choice.data or "").strip()
        typed = (self.other_amount.data or "").strip()
        currency = self.context.currency
        if choice and choice != OTHER and not typed:
            presets = {str(minor): minor for minor in preset_amounts(currency)}
            if choice not in presets:
                self.amount_choice.errors = ["Choose one of the amounts, or enter your own."]
                return False
            self.amount_minor = presets[choice]
            return True
        if not typed:
            field = self.other_amount if choice == OTHER else self.amount_choice
            field.errors = ["Choose an amount, or enter your own."]
            return False
        try:
            amount = parse_amount(typed, currency)
        except MoneyError as error:
            self.other_amount.errors = [str(error)]
            return False
        if amount < self.context.min_amount:
            self.other_amount.errors = [
                f"The smallest gift we can take is {format_money(self.context.min_amount, currency)}."
            ]
            return False
        if amount > self.context.max_amount:
            self.other_amount.errors = [
                f"The largest gift we can take online is {format_money(self.context.max_amount, currency)}."
            ]
            return False
        self.amount_minor = amount
        return True

    def _check_visibility(self) -> bool:
        if self.visibility.data not in {"named", "anonymous"}:
            self.visibility.errors = ["Choose whether to show your name."]
            return False
        return True

    def _check_address(self) -> bool:
        if not self.context.needs_address:
            return True
        ok = True
        for field, message in (
            (self.address_line1, "Enter your street address: the charity's tax receipt needs it."),
            (self.address_city, "Enter your town or city."),
            (self.address_postcode, "Enter your postal code."),
        ):
            if not (field.data or "").strip():
                field.errors = [message]
                ok = False
        country = self.address_country.data or ""
        if country not in {choice.value for choice in self.address_country.choices}:
            self.address_country.errors = ["Choose your country."]
            return False
        if ok and country == "CA":
            if self.address_region.data not in CA_PROVINCES:
                self.address_region.errors = ["Choose your province or territory."]
                return False
            postal_code = normalise_ca_postal_code(self.address_postcode.data)
            if postal_code is None:
                self.address_postcode.errors = ["Enter a Canadian postal code, like M5V 2T6."]
                return False
            self.address_postcode.data = postal_code
        return ok

    def _check_gift_aid(self) -> bool:
        if not self.gift_aid.data:
            return True
        if self.is_company.data:
            self.gift_aid.errors = [
                "Gift Aid cannot be added to a company gift: untick one of the two boxes."
            ]
            return False
        ok = True
        for field, message in (
            (self.gift_aid_first_name, "Enter your first name for the Gift Aid declaration."),
            (self.gift_aid_last_name, "Enter your last name for the Gift Aid declaration."),
            (self.gift_aid_house, "Enter your house name or number."),
            (self.gift_aid_address, "Enter your street and town."),
        ):
            if not (field.data or "").strip():
                field.errors = [message]
                ok = False
        if self.context.asks_runner_family and self.gift_aid_runner_family.data not in ("yes", "no"):
            self.gift_aid_runner_family.errors = ["Say whether you are a family member of the runner."]
            ok = False
        if not (self.gift_aid_postcode.data or "").strip():
            self.gift_aid_postcode.errors = ["Enter your home postcode: HMRC needs it for Gift Aid."]
            return False
        postcode = normalise_uk_postcode(self.gift_aid_postcode.data)
        if postcode is None:
            self.gift_aid_postcode.errors = ["Enter a UK postcode, like LS1 4AP."]
            return False
        self.gift_aid_postcode.data = postcode
        return ok

    def gift_aid_details(self) -> GiftAidDetails | None:
        """The declaration to store with the donation, or None when there is none."""
        if not self.wants_gift_aid:
            return None
        return GiftAidDetails(
            title=(self.gift_aid_title.data or "").strip(),
            first_name=self.gift_aid_first_name.data.strip(),
            last_name=self.gift_aid_last_name.data.strip(),
            house_name_or_number=self.gift_aid_house.data.strip(),
            address=self.gift_aid_address.data.strip(),
            postcode=self.gift_aid_postcode.data,
            covers_past_and_future=bool(self.gift_aid_past_and_future.data),
            is_runner_family=self.context.asks_runner_family and self.gift_aid_runner_family.data == "yes",
        )

    def address_details(self) -> dict:
        """The donor's postal address, kept only where the receipt needs it."""
        if not self.context.needs_address:
            return {}
        return {
            "address_line1": self.address_line1.data.strip(),
            "address_city": self.address_city.data.strip(),
            "address_postcode": self.address_postcode.data.strip(),
            "address_country": self.address_country.data,
            "address_region": self.address_region.data if self.address_country.data == "CA" else "",
        }

    @property
    def benefit_id(self) -> int | None:
        """The thank-you benefit chosen, or None (checked by _check_benefit)."""
        value = self.benefit.data or NO_BENEFIT
        return int(value) if value != NO_BENEFIT and value.isdigit() and len(value) < 10 else None

    def _check_benefit(self) -> bool:
        value = self.benefit.data or NO_BENEFIT
        chosen = self.benefit_id
        if value != NO_BENEFIT and chosen is None:
            problem = "Choose one of the thank-you gifts offered, or none."
        else:
            problem = chosen_benefit_error(self.context.benefits, chosen, self.amount_minor)
        if problem and self.context.benefits:
            self.benefit.errors = [problem]
        elif problem:
            self.form_errors.append(problem)  # no choice is shown to put it beside
        return not problem
