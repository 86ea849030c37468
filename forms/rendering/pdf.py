"""HTML → PDF: Nysan's typesetter (``forms.typeset``) for the HTML and CSS it supports, WeasyPrint
for the rest and as the reference the typesetter is tested against.

The typesetter loads nothing at all. For WeasyPrint, the URL fetcher refuses every URL but files
inside ``forms/assets`` (no other ``file://`` path, no network), so neither a template nor data can
make the renderer read the disk or call out. WeasyPrint's font configuration is Nysan's own
fontconfig file listing only ``forms/assets/fonts`` (no system font, ever: a character the fonts lack
prints as a missing glyph rather than in whatever the server has installed). The font
configuration and the font stylesheet are built once per process and reused.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import mimetypes
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from forms import pdfa, typeset
from forms.catalogue.locations import ASSETS_DIR

LOGGER = logging.getLogger("nysan.pdf")
ASSETS_URL = ASSETS_DIR.as_uri() + "/"


class AssetFetcher(URLFetcher):
    """Serves ``file://`` URLs inside the assets folder; refuses everything else."""

    def __init__(self, root: Path = ASSETS_DIR):
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self.root = root.resolve()

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ValueError(f"blocked: only the package's own assets may be loaded ({parts.scheme}:)")
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise ValueError("blocked: outside the package's assets")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers={"Content-Type": mime})


FONTS_DIR = ASSETS_DIR / "fonts"


def bundled_font_configuration() -> FontConfiguration:
    """WeasyPrint's FontConfiguration loading fontconfig's configuration from a file of Nysan's own
    (``FONTCONFIG_FILE``, read when the configuration is made): the bundled fonts' folder only, no
    system configuration included, so neither fonts nor aliases of the machine are seen."""
    folder = tempfile.mkdtemp(prefix="nysan-fontconfig-")
    atexit.register(shutil.rmtree, folder, True)
    conf = Path(folder) / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig><dir>{_xml_text(FONTS_DIR)}</dir>"
        f"<cachedir>{_xml_text(Path(folder) / 'cache')}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    with _ENVIRONMENT_LOCK:
        previous = os.environ.get("FONTCONFIG_FILE")
        os.environ["FONTCONFIG_FILE"] = str(conf)
        try:
            return FontConfiguration()
        finally:
            if previous is None:
                del os.environ["FONTCONFIG_FILE"]
            else:
                os.environ["FONTCONFIG_FILE"] = previous


_ENVIRONMENT_LOCK = threading.Lock()


def _xml_text(path: Path) -> str:
    return str(path).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Fonts:
    """Font configuration + @font-face stylesheet, made once per process."""

    _lock = threading.Lock()

    def __init__(self):
        self.fetcher = AssetFetcher()
        self.config = bundled_font_configuration()
        self.stylesheet = CSS(
            filename=str(ASSETS_DIR / "fonts.css"),
            base_url=ASSETS_URL,
            url_fetcher=self.fetcher,
            font_config=self.config,
        )


@lru_cache(maxsize=1)
def _fonts() -> _Fonts:
    return _Fonts()


@lru_cache(maxsize=16)
def _layout_stylesheet(path: Path, mtime: float) -> CSS:
    """The shared layout CSS, parsed once (parsing it per render cost more than laying out a page)."""
    fonts = _fonts()
    return CSS(
        string=path.read_text(encoding="utf-8"),
        base_url=ASSETS_URL,
        url_fetcher=fonts.fetcher,
        font_config=fonts.config,
    )


def _stylesheets(layout_css: Path | str | None) -> list[CSS]:
    sheets = [_fonts().stylesheet]
    if layout_css is not None:
        layout_css = Path(layout_css)
        sheets.append(_layout_stylesheet(layout_css, layout_css.stat().st_mtime))
    return sheets


# Told of every PDF made here: (form id, engine, reason code). The service counts them
# (nysan_pdf_renders_total); the engine itself imports nothing of the service.
ENGINE_LISTENERS: list[Callable[[str, str, str], None]] = []
TYPESET, WEASYPRINT = "typeset", "weasyprint"


def html_to_pdf(
    html: str,
    layout_css: Path | None = None,
    engine: str = "auto",
    archival: pdfa.Archival | None = None,
    form: str = "",
    processes: int = 1,
) -> bytes:
    """The PDF: with ``engine`` ``auto`` (the ``PDF_ENGINE`` setting), Nysan's typesetter where the
    document is within its subset, else WeasyPrint; with ``weasyprint``, WeasyPrint. PDF/A with
    ``archival``. ``form`` (the form id) only names the document in the log line and to
    ``ENGINE_LISTENERS``; ``processes``: the typesetter's (the ``TYPESET_PROCESSES`` setting)."""
    # A fixed identifier derived from the content keeps the output byte-identical across runs.
    identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
    if engine == "auto":
        try:
            document = typeset.render(html, layout_css, identifier, archival, processes)
        except typeset.NotSupported as declined:
            reason = reason_code(declined)
        except Exception as err:  # noqa: BLE001 - the fast path must never cost a document
            reason = f"failed_{type(err).__name__}"  # only the type: the message could quote data
        else:
            _tell(form, TYPESET, "none")
            return document
        LOGGER.warning(
            "form %s left the typesetter: engine=%s reason=%s",
            form or "-",
            WEASYPRINT,
            reason,
            extra={"fields": {"event": "left_typesetter", "form": form or "-", "engine": WEASYPRINT, "reason": reason}},
        )
    else:
        reason = "configured"
    document = plain_html_to_pdf(html, layout_css, identifier, archival)
    _tell(form, WEASYPRINT, reason)
    return document


def reason_code(declined: Exception) -> str:
    """A stable code for why the typesetter declined: the words of its ``NotSupported`` naming the
    construct, without what follows them (a character's code, a selector, a length), so that a
    metric label takes few values and never a document's data."""
    text = re.sub(r"<(\w+)>", r"\1 element", re.sub(r"U\+[0-9A-Fa-f]+", "", str(declined)))
    words = re.match(r"[ <]*([A-Za-z@!][A-Za-z -]*)", text)
    code = re.sub(r"[^a-z]+", "_", words.group(1).lower()).strip("_") if words else ""
    return code[:60] or "unnamed"


def _tell(form: str, engine_name: str, reason: str) -> None:
    for listener in ENGINE_LISTENERS:
        try:
            listener(form, engine_name, reason)
        except Exception as err:  # noqa: BLE001 - counting must never cost a document
            LOGGER.warning("engine listener failed (%s)", type(err).__name__)


def plain_html_to_pdf(
    html: str, layout_css: Path | None = None, identifier: bytes | None = None, archival: pdfa.Archival | None = None
) -> bytes:
    """The whole document by WeasyPrint: the renderer of what the typesetter declines, and the
    reference the tests compare the typesetter with."""
    fonts = _fonts()
    document = HTML(string=html, base_url=ASSETS_URL, url_fetcher=fonts.fetcher).render(
        stylesheets=_stylesheets(layout_css), font_config=fonts.config
    )
    identifier = identifier or hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
    if archival is None:
        return document.write_pdf(pdf_identifier=identifier)
    # WeasyPrint's own PDF/A (CIDSets, PDF version) finished like a joined PDF (dates, XMP, data).
    variant = document.write_pdf(pdf_identifier=identifier, pdf_variant=f"pdf/a-{archival.variant}")
    return pdfa.finish(variant, archival, identifier)
