"""The dashboard's Content-Security-Policy and its static plotly: no CDN, no inline script."""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.middleware import csrf

from tests.helpers import client_for
from tests.reporting.dashboard.pages import URLS, page_text

pytestmark = pytest.mark.django_db

# Content-Security-Policy and static plotly ----------------------------------------------


@pytest.mark.parametrize(
    "url", [*URLS, "/entry/", "/review/", "/accounts/login/", "/admin/", "/no-such-page/"]
)
def test_csp_header_on_html_pages(figures, django_user_model, url, settings) -> None:
    admin = django_user_model.objects.create_superuser("root", password="x")
    response = client_for(admin).get(url)
    assert response["Content-Type"].startswith("text/html")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-eval" not in policy


def test_csp_not_on_json_and_configurable(figures, leader, settings) -> None:
    client = client_for(leader)
    assert "Content-Security-Policy" not in client.get("/api/progress/2015/")
    settings.CONTENT_SECURITY_POLICY = "default-src 'none'"
    assert client.get("/dashboard/")["Content-Security-Policy"] == "default-src 'none'"
    settings.CONTENT_SECURITY_POLICY = ""
    assert "Content-Security-Policy" not in client.get("/dashboard/")


class _Scripts(HTMLParser):
    """Every <script> of a page: its attributes and its inline body."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[dict[str, str | None], str]] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.found.append((dict(attrs), ""))
            self._inside = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            attributes, body = self.found[-1]
            self.found[-1] = (attributes, body + data)


def _scripts(page: str) -> list[tuple[dict[str, str | None], str]]:
    parser = _Scripts()
    parser.feed(page)
    parser.close()
    return parser.found


@pytest.mark.parametrize("url", URLS)
def test_plotly_from_our_static_files_no_cdn_no_inline_script(
    figures, leader, url, monkeypatch
) -> None:
    """Where each script comes from, read from the parsed tags: a substring such as "cdn" can
    be part of the page's random CSRF token, as it is here on purpose."""
    monkeypatch.setattr(csrf, "_get_new_csrf_string", lambda: ("cdn" * 11)[:32])
    page = page_text(client_for(leader).get(url, {"as_of": "2015-03"}))
    assert "cdncdn" in page  # the worst case the old substring check met by chance
    scripts = _scripts(page)
    sources = [attributes["src"] for attributes, _body in scripts if attributes.get("src")]
    for attributes, body in scripts:
        # Either a file of ours, or data (json_script) that a browser never runs.
        if attributes.get("src"):
            source = urlsplit(attributes["src"] or "")
            assert (source.scheme, source.netloc) == ("", "")
            assert source.path.startswith("/static/")
            assert not body.strip()
        else:
            assert attributes.get("type") == "application/json"
    assert "/static/js/charts.js" in sources
    if url in ("/dashboard/", "/dashboard/quota/rural-transfer/"):
        assert "/static/vendor/plotly-cartesian.min.js" in sources


def test_a_script_from_elsewhere_or_inline_is_seen_by_that_check() -> None:
    """The parser the check relies on finds what the old substring check was after."""
    page = (
        '<script src="https://cdn.example.com/plotly.js"></script><script>alert(1)</script>'
        '<script id="d" type="application/json">{"a": 1}</script>'
        '<input name="csrfmiddlewaretoken" value="xcdnX">'
    )
    assert _scripts(page) == [
        ({"src": "https://cdn.example.com/plotly.js"}, ""),
        ({}, "alert(1)"),
        ({"id": "d", "type": "application/json"}, '{"a": 1}'),
    ]


def _pinned(name: str) -> str:
    """A pin of the Makefile's vendor-plotly target (``NAME := value``)."""
    makefile = (settings.BASE_DIR / "Makefile").read_text()
    found = re.search(rf"^{name} := (\S+)$", makefile, re.MULTILINE)
    assert found, name
    return found.group(1)


def _bundle() -> bytes:
    ours = finders.find("vendor/plotly-cartesian.min.js")
    assert ours
    with open(ours, "rb") as mine:
        return mine.read()


def test_the_plotly_bundle_is_the_pinned_one_and_the_wheels_version() -> None:
    """The vendored file is the one `make vendor-plotly` checked, and the same plotly.js
    version as the Python package that builds the figures."""
    import plotly

    bundle = _bundle()
    assert hashlib.sha256(bundle).hexdigest() == _pinned("PLOTLY_JS_SHA256")
    version = _pinned("PLOTLY_JS_VERSION")
    assert f"plotly.js (cartesian - minified) v{version}\n".encode() in bundle[:200]
    with open(f"{plotly.__path__[0]}/package_data/plotly.min.js", "rb") as wheel:
        assert f"plotly.js v{version}\n".encode() in wheel.read(200)


def test_the_bundle_draws_every_trace_type_the_charts_use(figures, leader) -> None:
    """A trace type missing from the partial bundle would leave its chart blank."""
    page = page_text(client_for(leader).get("/dashboard/", {"as_of": "2015-03"}))
    used = set(re.findall(r'"type": "([a-z0-9]+)"', page)) - {"line"}  # "line": a shape
    assert {"scatter", "bar", "heatmap"} <= used
    bundled = set(re.findall(rb'moduleType:"trace",name:"([a-z0-9]+)"', _bundle()))
    assert {name.encode() for name in used} <= bundled
