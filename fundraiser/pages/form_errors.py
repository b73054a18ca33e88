"""Reasons onto form fields: a service's refusal, a refused photo, a slug another request took
first. `saving(form)` wraps the service calls behind a valid form and commits once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import current_app
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage
from wtforms import Field

from fundraiser.extensions import db
from fundraiser.pages.photos import PhotoError, PreparedPhoto, prepare_photo
from fundraiser.pages.validation import InvalidInput


def add_error(form: FlaskForm, name: str, message: str) -> None:
    """Put a message on a field; "impact_units-0-amount" reaches into a list of sub-forms."""
    field = _find_field(form, name)
    if field is None:
        field = next(f for f in form if f.type not in {"CSRFTokenField", "HiddenField"})
    field.errors = [*field.errors, message]


def slug_race_lost(form: FlaskForm) -> None:
    """Another request took the same slug between our check and our insert (the unique index
    said so): roll back and say it next to the slug field instead of failing."""
    db.session.rollback()
    add_error(form, "slug", "That web address was taken a moment ago; choose another.")


def add_errors(form: FlaskForm, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        add_error(form, name, message)


@dataclass
class Outcome:
    saved: bool = False


@contextmanager
def saving(form: FlaskForm) -> Iterator[Outcome]:
    """Run the service calls behind a valid form, then commit once. When a service refuses the
    input, a photo is refused, or another request took the slug, the reason goes on the form,
    nothing is written, and `outcome.saved` stays False."""
    outcome = Outcome()
    try:
        yield outcome
    except InvalidInput as error:
        add_errors(form, error.errors)
    except PhotoError:
        pass  # uploaded_photo already put the reason on the photo field
    except IntegrityError:
        slug_race_lost(form)
    else:
        db.session.commit()
        outcome.saved = True


def uploaded_photo(form: FlaskForm, name: str) -> PreparedPhoto | None:
    """The re-encoded upload in field `name`, None when none was sent; a refused file becomes
    a field error and raises PhotoError."""
    data = form[name].data
    if not isinstance(data, FileStorage) or not data.filename:
        return None
    try:
        return prepare_photo(data.stream, current_app.config["MAX_PHOTO_BYTES"])
    except PhotoError as error:
        add_error(form, name, str(error))
        raise


def _find_field(form, name: str) -> Field | None:
    if name in form:
        return form[name]
    head, _, rest = name.partition("-")
    if head in form and rest:
        index, _, sub = rest.partition("-")
        entries = form[head].entries
        if index.isdigit() and int(index) < len(entries) and sub:
            return _find_field(entries[int(index)].form, sub)
    return None
