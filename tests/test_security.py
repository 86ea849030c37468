"""Untrusted data never becomes markup; templates cannot read the disk or call out."""

import http.server
import io
import threading

import pytest
from jinja2.exceptions import SecurityError
from pypdf import PdfReader

import forms
from forms.rendering.pdf import AssetFetcher
from support.synthetic import make_data_dir
from support.text import docx_text, pdf_text

HOSTILE = "<b>x</b> & {{ 7*7 }}"


def hostile_referral():
    data = forms.example("referral")
    data["applicant"] = {"last_name": HOSTILE, "first_name": "{%p if 1 %}"}
    data["head_name"] = "</p><script>alert(1)</script>"
    return data


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_markup_in_data_prints_literally(lang):
    data = hostile_referral()
    assert HOSTILE in pdf_text(forms.render("referral", data, lang=lang, fmt="pdf"))
    text = docx_text(forms.render("referral", data, lang=lang, fmt="docx"))
    assert HOSTILE in text and "{%p if 1 %}" in text and "<script>alert(1)</script>" in text
    html = forms.render("referral", data, lang=lang, fmt="html").decode()
    assert "&lt;b&gt;x&lt;/b&gt; &amp; {{ 7*7 }}" in html
    assert "<script>" not in html


def test_templates_are_sandboxed(tmp_path):
    registry = forms.Registry(make_data_dir(tmp_path, html="{{ ''.__class__.__mro__[1].__subclasses__() }}"))
    with pytest.raises(SecurityError):
        forms.render("test-form", registry.example("test-form"), fmt="html", registry=registry)


class _Counter(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self):  # noqa: N802
        type(self).hits += 1
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args):
        pass


@pytest.mark.server
def test_renderer_reaches_neither_disk_nor_network(tmp_path):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Counter)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        html = f"""{{% extends "_layout/base.html" %}}{{% block content %}}
<link rel="attachment" href="file:///etc/passwd">
<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">
<style>@import url("file:///etc/passwd"); @import url("http://127.0.0.1:{port}/y.css");</style>
<img src="file:///etc/passwd"><img src="http://127.0.0.1:{port}/i.png">
<p>body</p>{{% endblock %}}"""
        registry = forms.Registry(make_data_dir(tmp_path, html=html))
        pdf = forms.render("test-form", registry.example("test-form"), fmt="pdf", registry=registry)
    finally:
        server.shutdown()
    assert _Counter.hits == 0
    reader = PdfReader(io.BytesIO(pdf))
    assert "/EmbeddedFiles" not in (reader.trailer["/Root"].get("/Names") or {})
    assert b"root:" not in pdf
    assert "body" in pdf_text(pdf)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1/",
        "https://example.org/x.css",
        "data:text/css,body{}",
        "file://localhost/etc/hostname",
    ],
)
def test_fetcher_refuses_everything_but_assets(url):
    with pytest.raises(ValueError):
        AssetFetcher().fetch(url)


def test_fetcher_serves_the_bundled_font():
    from forms.catalogue.locations import FONTS_DIR

    response = AssetFetcher().fetch((FONTS_DIR / "LiberationSerif-Regular.ttf").as_uri())
    assert response.read()[:4] == b"\x00\x01\x00\x00"


def test_traversal_out_of_assets_refused():
    from forms.catalogue.locations import ASSETS_DIR

    with pytest.raises(ValueError):
        AssetFetcher().fetch(ASSETS_DIR.as_uri() + "/../../pyproject.toml")
