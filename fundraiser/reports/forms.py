"""The dashboard's period chooser and the donations list's filters: GET forms, no CSRF."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from fundraiser.models import DonationStatus


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False

    period = SelectField(
        "Period",
        choices=[
            SelectChoice("month", "This month"),
            SelectChoice("year", "This year"),
            SelectChoice("custom", "Custom dates"),
        ],
        default="month",
    )
    from_ = DateField("From (YYYY-MM-DD)", validators=[Optional()], name="from")
    to = DateField("To (YYYY-MM-DD)", validators=[Optional()])


class DonationFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(
        "Status",
        choices=[SelectChoice("", "Any status")] + [SelectChoice(s, s.capitalize()) for s in DonationStatus],
    )
    event = SelectField("Event", choices=[SelectChoice("", "Any event")])
    from_ = DateField("Created from (YYYY-MM-DD)", validators=[Optional()], name="from")
    to = DateField("Created to (YYYY-MM-DD)", validators=[Optional()])
    q = StringField("Donor name or email", validators=[Optional(), Length(max=120)])
