import pytest

from fundraiser.pages.markdown import render_markdown


@pytest.mark.parametrize(
    ("text", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ("Hi <script src='https://evil.test/x.js'></script>", "evil.test"),
        ("[click](javascript:alert(1))", "javascript:"),
        ("<a href='JaVaScRiPt:alert(1)'>x</a>", "alert"),
        ('<img src="x" onerror="alert(1)">', "onerror"),
        ('<p onclick="steal()">hello</p>', "onclick"),
        ("<iframe src='https://evil.test'></iframe>", "iframe"),
        ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', "data:"),
        ("<style>body{display:none}</style>", "<style"),
    ],
)
def test_dangerous_html_is_removed(text, forbidden):
    assert forbidden.lower() not in render_markdown(text).lower()


def test_safe_markdown_is_kept():
    html = render_markdown(
        "## Week 6\n\nI ran **15K** and *felt great*.\n\n- one\n- two\n\n[Our club](https://example.org)"
    )
    assert "<h2>Week 6</h2>" in html
    assert "<strong>15K</strong>" in html
    assert "<em>felt great</em>" in html
    assert "<li>one</li>" in html
    assert 'href="https://example.org"' in html
    assert 'rel="nofollow noopener ugc"' in html


def test_text_of_removed_script_is_not_executable():
    html = render_markdown("before <script>alert('x')</script> after")
    assert "before" in html and "after" in html
    assert "<script" not in html


def test_empty_story_renders_empty():
    assert render_markdown("") == ""
