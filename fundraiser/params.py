"""What URLs carry into queries: numbers and search text.

Every integer a query string or path carries is checked against the range
the database holds before it reaches a query. `?before=99999999999999999999` on the donations
list was a 500 (an integer overflow in the database); digits str.isdigit() accepts but int()
refuses ("²") were another, and so were 5,000 digits (Python's int() limit). Search text is
matched literally: `%` and `_` typed in a search box are not wildcards."""

from __future__ import annotations

from flask import abort
from sqlalchemy import ColumnElement, func
from werkzeug.routing import IntegerConverter

# Ids are 32-bit signed integers in every table; PostgreSQL refuses to compare with more.
MAX_ID = 2**31 - 1


def small_int(raw: str | None, maximum: int = MAX_ID) -> int | None:
    """The number in `raw` when it is ASCII digits from 0 to `maximum`, else None."""
    if not raw or not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(maximum)):
        return None
    number = int(raw)
    return number if number <= maximum else None


def int_arg(args, name: str, reason: str, maximum: int = MAX_ID) -> int | None:
    """Query parameter `name` as an int, None when absent; 400 with `reason` when it is not a
    whole number from 0 to `maximum`."""
    raw = args.get(name, "")
    if not raw:
        return None
    number = small_int(raw, maximum)
    if number is None:
        abort(400, description=reason)
    return number


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: ASCII digits up to MAX_ID, else the route does not match (404)."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def contains_text(column, text: str) -> ColumnElement[bool]:
    """`column` holds `text`, case-insensitively, with LIKE's wildcards in `text` taken literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")
