"""What WeasyPrint may load while it lays out a report: Posture's own static files, nothing else.

The report holds AWS-supplied text (resource names, tags, reasons). Templates escape it, and this is the
second wall: were markup ever to slip through, an `<img src="http://…">`, a `file://` path or a CSS `url()`
would still fetch nothing — no request to an internal address, no local file read into the PDF.
Imported by pdf.render only: WeasyPrint loads pango, which the web tier rarely needs.
"""

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from weasyprint.urls import URLFetcher

logger = logging.getLogger(__name__)


def static_roots():
    return [Path(root).resolve() for root in (*settings.STATICFILES_DIRS, settings.STATIC_ROOT)]


def static_file(url):
    """The file a `file://` URL names when it lies inside Posture's static folders, else None."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(url2pathname(unquote(parts.path))).resolve()  # resolve: no way out through ../ or a symlink
    if any(path.is_relative_to(root) for root in static_roots()) and path.is_file():
        return path
    return None


class StaticFilesOnly(URLFetcher):
    """A WeasyPrint fetcher that refuses every URL but a file in Posture's static folders."""

    def __init__(self):
        super().__init__(allowed_protocols=("file",), allow_redirects=False)

    def fetch(self, url, headers=None):
        if static_file(url) is None:
            logger.warning("PDF: refused to fetch %.200r: only Posture's static files are loaded", url)
            raise ValueError("only Posture's own static files may be loaded into a report")
        return super().fetch(url, headers)
