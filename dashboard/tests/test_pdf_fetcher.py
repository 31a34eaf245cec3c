"""WeasyPrint loads Posture's own static files and nothing else: AWS-supplied text in a report never makes
it request a URL (an internal address, say) or read a local file into the PDF."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from dashboard.exports import pdf
from dashboard.exports.pdf_fetcher import StaticFilesOnly, static_file
from dashboard.exports.scope import Scope
from dashboard.tests.factories import AwsAccountFactory, FindingEventFactory, FindingFactory, ResourceFactory

IMAGE = b"/Subtype /Image"  # how an embedded picture shows in WeasyPrint's PDF


class Counter(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(self.server.png)

    def log_message(self, *args):
        pass


@pytest.fixture
def png(tmp_path):
    path = tmp_path / "picture.png"
    Image.new("RGB", (8, 8), (200, 0, 0)).save(path)
    return path


@pytest.fixture
def server(png):
    """A local HTTP server that would answer any fetch with a picture, and counts what it was asked."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Counter)
    httpd.requests, httpd.png = [], png.read_bytes()
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    httpd.url = f"http://127.0.0.1:{httpd.server_port}"
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def static_folder(tmp_path, settings, png):
    folder = tmp_path / "static"
    folder.mkdir()
    (folder / "logo.png").write_bytes(png.read_bytes())
    settings.STATICFILES_DIRS = [folder]
    return folder


def hostile_texts(server, png):
    return [
        f'<img src="{server.url}/name.png">',
        f'<link rel="stylesheet" href="{server.url}/tag.css">',
        f"<style>@import url({server.url}/import.css); p {{ background: url({server.url}/bg.png) }}</style>",
        f'<div style="background-image: url({server.url}/inline.png)">x</div>',
        f'<img src="{png.as_uri()}">',
        '<img src="../../posture/settings.py">',
        f"<svg><image href='{server.url}/svg.png'/></svg>",
    ]


@pytest.mark.django_db
def test_a_report_of_hostile_aws_text_fetches_nothing(server, png):
    account = AwsAccountFactory(name=f'prod <img src="{server.url}/account.png">')
    for text in hostile_texts(server, png):
        resource = ResourceFactory(account=account, name=text, tags={"owner": text})
        finding = FindingFactory(resource=resource, status="FAIL", severity="high", reason=text)
        FindingEventFactory(finding=finding, new_status="FAIL", reason=text)

    document = pdf.render(Scope(), "auditor")

    assert server.requests == []
    assert IMAGE not in document


def test_markup_that_slipped_past_escaping_still_fetches_nothing(server, png, static_folder):
    """The second wall on its own: raw hostile markup laid out as a report would be."""
    document = pdf.html_to_pdf("<p>report</p>" + "".join(hostile_texts(server, png)))

    assert server.requests == []
    assert IMAGE not in document


def test_posture_static_files_still_load(static_folder):
    document = pdf.html_to_pdf(f'<p>report</p><img src="{(static_folder / "logo.png").as_uri()}">')

    assert IMAGE in document


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.png",
        "https://example.com/x.png",
        "ftp://127.0.0.1/x",
        "data:image/png;base64,iVBORw0KGgo=",
        "file:///etc/passwd",
        "file://remote-host/static/logo.png",
    ],
)
def test_the_fetcher_refuses_anything_but_a_static_file(static_folder, url):
    assert static_file(url) is None
    with pytest.raises(ValueError, match="static files"):
        StaticFilesOnly().fetch(url)


def test_no_way_out_of_the_static_folder(static_folder, png, tmp_path):
    (static_folder / "link.png").symlink_to(png)
    inside = (static_folder / "logo.png").as_uri()

    assert static_file(inside) == static_folder / "logo.png"
    assert static_file(f"{static_folder.as_uri()}/../picture.png") is None
    assert static_file(f"{static_folder.as_uri()}/%2e%2e/picture.png") is None
    assert static_file((static_folder / "link.png").as_uri()) is None
    assert StaticFilesOnly().fetch(inside).status in (None, 200)
