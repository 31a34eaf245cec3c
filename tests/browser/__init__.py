"""Browser journeys: headless Debian Chromium driven by Playwright against a live server."""
