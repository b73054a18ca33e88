import pytest


@pytest.mark.browser
def test_home_page_renders_in_chromium(live_server, page):
    page.goto(live_server.url + "/")
    assert page.locator("h1").count() == 1
    assert "Run for a cause" in page.locator("h1").inner_text()
