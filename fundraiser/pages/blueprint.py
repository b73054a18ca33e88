"""The pages blueprint. The view modules put their routes on it; `fundraiser.pages.views`
imports them all, so registering that module's `bp` registers every pages route."""

from __future__ import annotations

from flask import Blueprint

from fundraiser.pages.caching import register_gave_cookie

bp = Blueprint("pages", __name__)
register_gave_cookie(bp)
