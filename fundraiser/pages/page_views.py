"""Public pages and the runner's own: home, dashboard, uploads and pledge pages."""

from __future__ import annotations

from types import SimpleNamespace

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from fundraiser.accounts.limits import account_writes
from fundraiser.donations.giftaid import SponsorAddress
from fundraiser.extensions import db
from fundraiser.models import Event, PageStatus, PledgePage
from fundraiser.money import amount_text
from fundraiser.pages import listings, lookups, page_services, view_builders, view_models
from fundraiser.pages.blueprint import bp
from fundraiser.pages.caching import public_page
from fundraiser.pages.form_errors import saving, uploaded_photo
from fundraiser.pages.forms import ActionForm, EditPageForm, NewPageForm, UpdateForm
from fundraiser.pages.photos import is_stored_name
from fundraiser.pages.validation import InvalidInput
from fundraiser.permissions import can_approve_page, can_edit_page, can_view_page, or_404, signed_in_user


@bp.get("/")
@public_page
def home():
    return render_template(
        "pages/home.html",
        events=view_builders.event_list(db.session, open_only=True, limit=12),
        featured=listings.featured_pages(db.session),
    )


@bp.get("/me")
@login_required
def dashboard():
    return render_template(
        "pages/dashboard.html",
        pages=listings.runner_pages(db.session, current_user.id),
        teams=[(team.slug, team.name) for team in lookups.captained_teams(db.session, current_user.id)],
        causes=[
            (cause.slug, cause.name) for cause in lookups.administered_causes(db.session, current_user.id)
        ],
        action_form=ActionForm(),
    )


@bp.get("/uploads/<name>")
def upload(name: str):
    if not is_stored_name(name):
        abort(404)
    response = send_from_directory(current_app.config["UPLOAD_FOLDER"], name, max_age=86_400)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/pages/new", methods=["GET", "POST"])
@account_writes
@login_required
def new_page():
    form = NewPageForm()
    chosen_event = _chosen_event(form)
    _fill_page_choices(form, chosen_event)
    if request.method == "GET" and chosen_event is not None:
        form.event_id.data = chosen_event.id
    if form.validate_on_submit():
        with saving(form) as outcome:
            photo = uploaded_photo(form, "photo")
            page = page_services.create_page(
                db.session,
                current_user,
                event_id=form.event_id.data,
                cause_id=form.cause_id.data,
                details=_page_input(form),
                publish=form.status.data == PageStatus.PUBLISHED,
                photo=photo,
                upload_folder=current_app.config["UPLOAD_FOLDER"],
            )
        if outcome.saved:
            flash(_saved_message(page), "success")
            return redirect(url_for("pages.show_page", slug=page.slug))
    status = 200 if request.method == "GET" else 422
    return render_template("pages/page_form.html", form=form, page=None), status


@bp.get("/<slug>")
@public_page
def show_page(slug: str):
    page = or_404(lookups.find_page(db.session, slug))
    if not can_view_page(signed_in_user(), page):
        abort(404)
    # Forms are made only for the owner: a form's CSRF token writes the session, and a
    # session cookie would make every anonymous visitor's copy private (uncacheable).
    return _render_page(page, UpdateForm() if can_edit_page(signed_in_user(), page) else None)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@account_writes
@login_required
def edit_page(slug: str):
    page = or_404(lookups.find_page(db.session, slug), check=can_edit_page)
    form = EditPageForm(obj=None if request.method == "POST" else _page_form_data(page))
    if form.validate_on_submit():
        with saving(form) as outcome:
            photo = uploaded_photo(form, "photo")
            page_services.update_page(
                db.session,
                page,
                _page_input(form),
                photo=photo,
                remove_photo=form.remove_photo.data,
                upload_folder=current_app.config["UPLOAD_FOLDER"],
                sponsor=_sponsor_address(form) if page.cause.country == "GB" else None,
            )
        if outcome.saved:
            flash("Your page is saved.", "success")
            return redirect(url_for("pages.show_page", slug=page.slug))
    status = 200 if request.method == "GET" else 422
    return render_template("pages/page_form.html", form=form, page=view_builders.page_view(page)), status


def _saved_message(page: PledgePage) -> str:
    if page.is_published:
        return "Your page is live: share its link."
    if page.is_awaiting_approval:
        return AWAITING_APPROVAL.format(cause=page.cause.name)
    return "Draft saved."


AWAITING_APPROVAL = "Your page is waiting for {cause} to approve it; it takes gifts once they have."


@bp.post("/<slug>/publish")
@account_writes
@login_required
def publish_page(slug: str):
    page = or_404(lookups.find_page(db.session, slug), check=can_edit_page)
    try:
        page_services.publish_page(db.session, page)
    except InvalidInput as refusal:
        db.session.rollback()
        flash(refusal.errors["status"], "error")
        return redirect(url_for("pages.show_page", slug=page.slug))
    db.session.commit()
    if page.is_awaiting_approval:
        flash(AWAITING_APPROVAL.format(cause=page.cause.name), "success")
    else:
        flash("Your page is published: anyone with the link can see it.", "success")
    return redirect(url_for("pages.show_page", slug=page.slug))


@bp.post("/<slug>/approve")
@login_required
def approve_page(slug: str):
    """A charity admin lets a new runner's first page go live."""
    page = or_404(lookups.find_page(db.session, slug), check=can_approve_page)
    page_services.approve_page(db.session, page)
    db.session.commit()
    flash(f"{page.title} is approved and live.", "success")
    return redirect(url_for("pages.show_page", slug=page.slug))


@bp.post("/<slug>/unpublish")
@account_writes
@login_required
def unpublish_page(slug: str):
    page = or_404(lookups.find_page(db.session, slug), check=can_edit_page)
    page_services.unpublish_page(db.session, page)
    db.session.commit()
    flash("Your page is a draft again: only you can see it.", "success")
    return redirect(url_for("pages.dashboard"))


@bp.post("/<slug>/updates")
@account_writes
@login_required
def post_update(slug: str):
    page = or_404(lookups.find_page(db.session, slug), check=can_edit_page)
    form = UpdateForm()
    if form.validate_on_submit():
        with saving(form) as outcome:
            page_services.post_update(db.session, page, form.body.data)
        if outcome.saved:
            flash("Update posted.", "success")
            return redirect(url_for("pages.show_page", slug=page.slug) + "#updates")
    return _render_page(page, form), 422


def _render_page(page: PledgePage, update_form: UpdateForm | None):
    view = view_builders.page_view(page)
    can_edit = can_edit_page(signed_in_user(), page)
    can_approve = can_approve_page(signed_in_user(), page)
    return render_template(
        "pages/show.html",
        page=view,
        donors=view_builders.donor_wall(db.session, page.id),
        can_edit=can_edit,
        can_approve=can_approve,
        update_form=update_form,
        action_form=ActionForm() if can_edit or can_approve else None,
        share_url=_public_url(url_for("pages.show_page", slug=page.slug)),
        image_url=_share_image(view),
    )


def _share_image(view: view_models.PageView) -> str | None:
    """The runner's photo, else the cause's logo, as an absolute URL for link previews."""
    path = view.photo_url or view.cause_logo_url
    return _public_url(path) if path else None


def _public_url(path: str) -> str:
    """Absolute links for cards shared on other sites: PUBLIC_URL, not the request's host."""
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def _chosen_event(form: NewPageForm) -> Event | None:
    if request.method == "POST":
        return db.session.get(Event, form.event_id.data) if form.event_id.data else None
    return lookups.find_event(db.session, request.args.get("event", ""))


def _fill_page_choices(form: NewPageForm, chosen: Event | None) -> None:
    events = lookups.open_events(db.session)
    form.event_id.choices = [SelectChoice("", "Choose an event")] + [
        SelectChoice(str(event.id), event.name) for event in events
    ]
    causes = {}
    for event in [chosen] if chosen is not None and chosen.is_open else events:
        for cause in event.causes:
            causes[cause.id] = f"{cause.name} ({cause.country})"
    form.cause_id.choices = [SelectChoice("", "Choose a cause")] + [
        SelectChoice(str(cause_id), label)
        for cause_id, label in sorted(causes.items(), key=lambda item: item[1])
    ]


def _page_input(form) -> page_services.PageInput:
    return page_services.PageInput(
        title=form.title.data or "",
        slug=form.slug.data or "",
        story=form.story.data or "",
        target=form.target.data or "",
    )


def _sponsor_address(form) -> SponsorAddress:
    return SponsorAddress(
        first_name=form.sponsor_first_name.data or "",
        last_name=form.sponsor_last_name.data or "",
        house_name_or_number=form.sponsor_house_name_or_number.data or "",
        postcode=form.sponsor_postcode.data or "",
    )


def _page_form_data(page: PledgePage) -> SimpleNamespace:
    return SimpleNamespace(
        title=page.title,
        slug=page.slug,
        story=page.story_markdown,
        target=amount_text(page.target_amount, page.currency),
        sponsor_first_name=page.sponsor_first_name,
        sponsor_last_name=page.sponsor_last_name,
        sponsor_house_name_or_number=page.sponsor_house_name_or_number,
        sponsor_postcode=page.sponsor_postcode,
    )
