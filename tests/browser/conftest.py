"""Playwright on Debian's Chromium against pytest-django's live server.

Playwright cannot download its own browser here, so it launches /usr/bin/chromium. A missing browser
fails the tests (never skips them): install it with `apt-get install chromium`.

Playwright's sync API runs an asyncio loop in the main thread for as long as it is started, and Django
refuses ORM calls while a loop runs there. So Playwright lives for one test module only (not the
session, as pytest-playwright's own fixtures would), and DJANGO_ALLOW_ASYNC_UNSAFE is set only while
it does: the tests after these keep Django's guard.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group, User
from django.test import Client

from accounts.visibility import ALL_ACCOUNTS

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}
SCREENSHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots"  # var/ is gitignored
PASSWORD = "a-long-browser-password"  # noqa: S105 - a test user's
TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium for the module's journeys."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium. "
            "Install it with `apt-get install chromium` (Playwright cannot download a browser here).",
            pytrace=False,
        )
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)  # a loaded CI machine answers slower than Playwright's 5 s
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
            yield browser
            browser.close()


@pytest.fixture
def live_settings(settings, live_server):
    """Plain-HTTP cookies on the live server (the root conftest already serves unhashed static files)."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_SSL_REDIRECT = False
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    return settings


class Journey:
    """A browser tab on the live server that records console errors and saves a screenshot per step."""

    def __init__(self, page, base_url, name):
        self.page = page
        self.base_url = base_url
        self.name = name
        self.console_errors = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console_errors.append(f"uncaught: {error}"))

    def _on_console(self, message):
        if message.type == "error" or "Content Security Policy" in message.text:
            self.console_errors.append(f"{message.type}: {message.text}")

    def url(self, path):
        return self.base_url + path

    def goto(self, path):
        response = self.page.goto(self.url(path))
        assert response is not None, f"GET {path} gave no response"
        assert response.ok, f"GET {path} answered {response.status}"
        return response

    def shot(self, step):
        """var/screenshots/<test>-<step>.png of the whole page as it is now."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.name}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def assert_clean(self):
        """No console error and, above all, no Content-Security-Policy violation so far."""
        csp = [text for text in self.console_errors if "Content Security Policy" in text]
        assert not csp, f"CSP violations: {csp}"
        assert not self.console_errors, f"console errors: {self.console_errors}"

    def sign_in(self, username, password=PASSWORD):
        """Through the real sign-in form, as a person would."""
        self.goto("/login/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(re.compile(r"/$"))

    def signed_in_as(self, user):
        """A session cookie straight from Django, for journeys that are not about signing in."""
        client = Client()
        client.force_login(user)
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
        self.page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": self.base_url}])


@pytest.fixture
def journey(chromium, live_server, live_settings, request):
    context = chromium.new_context(viewport=VIEWPORT, base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    name = re.sub(r"[^a-z0-9_]+", "-", request.node.name.removeprefix("test_").lower()).strip("-")
    yield Journey(page, live_server.url, name)
    context.close()


def make_user(username, role):
    """A user holding `role`. The role groups come from a data migration, which a transactional test's
    flush may have emptied: create the group when it is missing. They see every account."""
    user = User.objects.create_user(username=username, password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    user.groups.add(Group.objects.get_or_create(name=ALL_ACCOUNTS)[0])  # teams are not what these tests are about
    return user


@pytest.fixture
def operator(transactional_db):
    return make_user("olivia-operator", "operator")
