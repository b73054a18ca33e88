"""Replacing or removing a page's photo or a cause's logo deletes the old file: the old
address answers 404 and nothing of it stays on disk (a removed photo is removed)."""

from __future__ import annotations

from pathlib import Path

from fundraiser.models import Cause, PledgePage
from tests.functional.pages.test_causes import cause_form


def edit_page(client, slug: str, **fields):
    data = {"title": "Photo page", "slug": slug, "story": "", "target": "100", **fields}
    return client.post(f"/{slug}/edit", data=data, content_type="multipart/form-data")


def test_a_replaced_then_removed_page_photo_is_gone(app, factories, signed_in, session, photo_file, client):
    page = factories.page(slug="photo-page")
    session.commit()
    runner = signed_in(page.runner)
    folder = Path(app.config["UPLOAD_FOLDER"])

    assert edit_page(runner, "photo-page", photo=photo_file()).status_code == 302
    session.expire_all()
    first = session.get(PledgePage, page.id).photo_path
    assert client.get(f"/uploads/{first}").status_code == 200

    assert edit_page(runner, "photo-page", photo=photo_file("PNG", "new.png")).status_code == 302
    session.expire_all()
    second = session.get(PledgePage, page.id).photo_path
    assert second != first
    assert client.get(f"/uploads/{first}").status_code == 404
    assert not (folder / first).exists()
    assert client.get(f"/uploads/{second}").status_code == 200

    assert edit_page(runner, "photo-page", remove_photo="y").status_code == 302
    session.expire_all()
    assert session.get(PledgePage, page.id).photo_path is None
    assert client.get(f"/uploads/{second}").status_code == 404
    assert not (folder / second).exists()


def test_a_refused_edit_keeps_the_photo(app, factories, signed_in, session, photo_file, client):
    page = factories.page(slug="keep-photo")
    session.commit()
    runner = signed_in(page.runner)
    assert edit_page(runner, "keep-photo", photo=photo_file()).status_code == 302
    session.expire_all()
    kept = session.get(PledgePage, page.id).photo_path
    refused = edit_page(runner, "keep-photo", remove_photo="y", target="not money")
    assert refused.status_code in (200, 422)
    assert client.get(f"/uploads/{kept}").status_code == 200


def test_a_replaced_cause_logo_is_gone(app, factories, signed_in, session, photo_file, client):
    admin = factories.user(is_platform_admin=True)
    session.commit()
    signed = signed_in(admin)
    created = signed.post(
        "/causes/new", data=cause_form(logo=photo_file("PNG", "logo.png")), content_type="multipart/form-data"
    )
    assert created.status_code == 302
    cause = session.query(Cause).filter_by(slug="river-rescue").one()
    old = cause.logo_path
    assert client.get(f"/uploads/{old}").status_code == 200

    edited = signed.post(
        "/causes/river-rescue/edit",
        data=cause_form(logo=photo_file("JPEG", "logo2.jpg")),
        content_type="multipart/form-data",
    )
    assert edited.status_code == 302, edited.get_data(as_text=True)[:500]
    session.expire_all()
    new = session.get(Cause, cause.id).logo_path
    assert new != old
    assert client.get(f"/uploads/{old}").status_code == 404
    assert client.get(f"/uploads/{new}").status_code == 200
