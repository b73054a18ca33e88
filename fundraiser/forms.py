"""The base of every form: only text reaches text fields, and NUL characters never do.

Flask-WTF hands every posted file and every JSON value to the field of that name: a file
posted as "email", or {"email": 1e999} as JSON, reached validators that expect a string
(a 500), and a JSON list broke before validation began. PostgreSQL refuses NUL in text.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage, MultiDict
from wtforms import StringField
from wtforms.meta import DefaultMeta


def drop_nul(value: object) -> object:
    return value.replace("\x00", "") if isinstance(value, str) else value


class NulFreeMeta(DefaultMeta):
    """Every text field drops NUL characters before validation (also for WTForms subforms)."""

    def bind_field(self, form, unbound_field, options):
        if issubclass(unbound_field.field_class, StringField):
            options["filters"] = [*unbound_field.kwargs.get("filters", ()), drop_nul]
        return unbound_field.bind(form=form, **options)


class BaseForm(FlaskForm):
    class Meta(NulFreeMeta):
        def wrap_formdata(self, form, formdata):
            try:
                data = super().wrap_formdata(form, formdata)
            except (TypeError, ValueError):  # JSON that is not an object
                return MultiDict()
            if data is None or not hasattr(data, "items"):
                return data
            file_fields = {field.name for field in form if field.type in ("FileField", "MultipleFileField")}
            clean = MultiDict()
            for key, value in data.items(multi=True):
                if isinstance(value, str) or (isinstance(value, FileStorage) and key in file_fields):
                    clean.add(key, value)
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    clean.add(key, str(value))
            return clean
