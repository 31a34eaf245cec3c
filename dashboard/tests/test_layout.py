"""The base layout: navigation, CSRF for htmx, the request indicator, and a CSP-clean page."""

import re

import pytest

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)


def assert_csp_clean(html):
    assert not INLINE_SCRIPT.search(html), "inline <script> without src"
    assert "<style" not in html.lower()
    assert not STYLE_ATTRIBUTE.search(html), "style= attribute"


@pytest.fixture
def page(client_as):
    response = client_as("viewer").get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_signed_in_page_has_every_section_in_the_navigation(page):
    nav = re.search(r'<nav class="nav".*?</nav>', page, re.S).group(0)
    for label in ("Overview", "Findings", "Keys", "Checks", "Changes", "Accounts", "Reports"):
        assert f">{label}</a>" in nav
    assert '<a href="/" class="active" aria-current="page">Overview</a>' in nav
    assert nav.count("aria-current") == 1


def test_current_section_is_highlighted(client_as):
    html = client_as("viewer").get("/findings/").content.decode()
    assert '<a href="/findings/" class="active" aria-current="page">Findings</a>' in html
    assert 'class="active" aria-current="page">Overview' not in html


def test_body_sends_the_csrf_token_with_every_htmx_request(client_as):
    client = client_as("viewer")
    html = client.get("/").content.decode()
    token = re.search(r"""hx-headers='\{"X-CSRFToken": "([^"]+)"\}'""", html)
    assert token
    assert len(token.group(1)) >= 32


def test_global_request_indicator_is_present_and_used(page):
    assert '<div id="htmx-indicator" class="htmx-indicator"' in page
    assert 'hx-indicator="#htmx-indicator"' in page


def test_indicator_rules_are_in_the_stylesheet():
    from django.contrib.staticfiles import finders

    with open(finders.find("css/app.css"), encoding="utf-8") as stylesheet:
        css = stylesheet.read()
    assert ".htmx-indicator { opacity: 0; }" in css
    assert ".htmx-request .htmx-indicator, .htmx-request.htmx-indicator { opacity: 1; }" in css


def test_signed_in_page_is_csp_clean(page):
    assert_csp_clean(page)
    assert re.search(r'<script src="/static/vendor/htmx-2\.0\.11\.min\.js" defer></script>', page)


def test_user_can_change_password_and_sign_out_with_a_post(client_as):
    html = client_as("viewer").get("/").content.decode()
    assert "viewer-user" in html
    assert 'href="/password/"' in html
    sign_out = re.search(r'<form method="post" action="/logout/"[^>]*>(.*?)</form>', html, re.S)
    assert sign_out
    assert 'name="csrfmiddlewaretoken"' in sign_out.group(1)


def test_messages_are_shown_with_their_kind_in_words():
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.template.loader import render_to_string

    html = render_to_string("includes/messages.html", {"messages": [Message(constants.ERROR, "Scan <b>failed</b>")]})
    assert 'class="message message-error" role="alert"' in html
    assert '<span class="message-kind">Error</span>' in html
    assert "Scan &lt;b&gt;failed&lt;/b&gt;" in html


def test_base_layout_shows_queued_messages(client_as, settings):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import MessageEncoder

    settings.MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
    client = client_as("viewer")
    session = client.session
    session["_messages"] = MessageEncoder().encode([Message(constants.SUCCESS, "Scan queued for prod")])
    session.save()
    html = client.get("/").content.decode()
    assert '<span class="message-kind">Done</span>' in html
    assert "Scan queued for prod" in html
    assert 'id="client-messages"' in html  # where app.js reports failed htmx requests


def test_login_page_renders_for_anonymous_users(client, db):
    response = client.get("/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Posture" in html
    assert "<h1" in html
    assert "Sign in" in html
    assert 'name="username"' in html
    assert 'name="password"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<nav class="nav"' not in html
    assert_csp_clean(html)


def test_login_errors_are_written_in_text(client, db):
    response = client.post("/login/", {"username": "nobody", "password": "wrong-password"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="form-errors" role="alert"' in html
    assert "Please enter a correct username and password" in html


def test_anonymous_user_is_sent_to_sign_in(client, db):
    response = client.get("/findings/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_password_change_page_renders(client_as):
    html = client_as("viewer").get("/password/").content.decode()
    assert "Change password" in html
    assert 'name="new_password1"' in html
    assert_csp_clean(html)


def test_viewer_on_an_auditor_page_sees_a_styled_403(client_as):
    response = client_as("viewer").get("/reports/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "You don't have access to this page" in html
    assert "This needs the auditor role." in html
    assert '<nav class="nav"' in html
    assert_csp_clean(html)


def test_unknown_page_is_a_styled_404(client_as, settings):
    settings.DEBUG = False
    html = client_as("viewer").get("/no-such-page/").content.decode()
    assert "Page not found" in html
    assert '<nav class="nav"' in html


def test_500_page_renders_without_context_or_database():
    from django.template.loader import get_template

    html = get_template("500.html").render()
    assert "Something went wrong" in html
    assert "/static/css/app.css" in html
    assert_csp_clean(html)


def test_pagination_keeps_the_filters_and_targets_the_fragment(rf):
    from django.core.paginator import Paginator
    from django.template.loader import render_to_string

    page = Paginator(list(range(60)), 25).page(2)
    request = rf.get("/findings/", {"status": "FAIL", "page": "2"})
    html = render_to_string("includes/pagination.html", {"page": page, "target": "#findings-table"}, request=request)
    assert "26–50 of 60" in html
    assert 'href="?status=FAIL&amp;page=1"' in html
    assert 'hx-get="?status=FAIL&amp;page=3" hx-target="#findings-table"' in html
