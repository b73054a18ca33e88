"""Jinja filters and globals: money, dates and Markdown reach templates as plain helpers."""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date
from flask import Flask

from fundraiser.countries import DEFAULT_LOCALE
from fundraiser.money import format_money, percent_of


def register(app: Flask) -> None:
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["day"] = lambda value: (
        format_date(value, "d MMMM y", locale=DEFAULT_LOCALE) if value else ""
    )
    app.jinja_env.globals["percent_of"] = percent_of
    app.jinja_env.globals["platform_name"] = lambda: app.config["PLATFORM_NAME"]
    app.jinja_env.globals["now_year"] = lambda: datetime.now().year
    app.jinja_env.globals["is_date"] = lambda value: isinstance(value, date)
