"""Error pages: HTML for people, JSON for API and webhook callers."""

from __future__ import annotations

from flask import Flask, abort, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from fundraiser.extensions import db


def wants_json() -> bool:
    if request.path.startswith(("/api/", "/stripe/")) or request.path.endswith(".json"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def refuse_nul_bytes() -> None:
    """No URL of ours holds a NUL byte, and PostgreSQL refuses one in any text it is sent:
    answer 404 (path) or 400 (query string) here, before a lookup can turn it into a 500."""
    if "\x00" in request.path:
        abort(404)
    if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        abort(400, description="The address holds a NUL character.")


def register(app: Flask) -> None:
    app.before_request(refuse_nul_bytes)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if wants_json():
            return jsonify(error=error.name, detail=error.description), error.code
        return render_template("error.html", error=error), error.code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        if wants_json():
            return jsonify(error="Internal Server Error"), 500
        return render_template("error.html", error=None), 500
