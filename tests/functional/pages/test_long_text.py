"""Stories and updates have a longest length, refused with a form error that says what to do."""

from sqlalchemy import func, select

from fundraiser.models import PageUpdate, PledgePage
from fundraiser.pages.markdown import MAX_STORY_LENGTH, MAX_UPDATE_LENGTH


def test_a_story_one_character_too_long_is_a_form_error(factories, signed_in, session):
    page = factories.page(slug="long-story", title="Keep")
    session.commit()
    client = signed_in(page.runner)
    data = {"title": "Changed", "slug": "long-story", "target": "100"}
    refused = client.post("/long-story/edit", data={**data, "story": "a" * (MAX_STORY_LENGTH + 1)})
    assert refused.status_code == 422
    assert "Keep your story to 20,000 characters" in refused.get_data(as_text=True)
    session.expire_all()
    assert session.get(PledgePage, page.id).title == "Keep"
    accepted = client.post("/long-story/edit", data={**data, "story": "a" * MAX_STORY_LENGTH})
    assert accepted.status_code == 302


def test_an_update_one_character_too_long_is_a_form_error(factories, signed_in, session):
    page = factories.page(slug="long-update")
    session.commit()
    client = signed_in(page.runner)
    refused = client.post("/long-update/updates", data={"body": "[" * (MAX_UPDATE_LENGTH + 1)})
    assert refused.status_code == 422
    assert "Keep an update to 10,000 characters" in refused.get_data(as_text=True)
    count = select(func.count()).select_from(PageUpdate).where(PageUpdate.page_id == page.id)
    assert session.scalar(count) == 0
    assert client.post("/long-update/updates", data={"body": "[" * MAX_UPDATE_LENGTH}).status_code == 302
    assert session.scalar(count) == 1
