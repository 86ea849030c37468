"""`nysan preview FORM`: a page on 127.0.0.1 that shows the example as PDF and re-renders it when
the spec, the example, a template or the shared layout changes, so wording is checked as it is typed.

The files' modification times are polled (no watcher library); the page asks every second whether
they changed and then reloads the document, or shows what went wrong (with the template's line).
Below the header it also lists what the quick `nysan forms check` finds in this version's files.
The server listens on the loopback interface only and answers only to a loopback Host name.
"""

from __future__ import annotations

import hashlib
import html
import json
import threading
import time
import traceback
import webbrowser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from forms.catalogue.registry import Registry
from forms.catalogue.spec import LANGS

HOST = "127.0.0.1"
PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ margin: 0; font-family: sans-serif; display: flex; flex-direction: column; height: 100vh; }}
header {{ padding: .4em .8em; background: #eef; display: flex; gap: 1.5em; align-items: baseline; }}
#status {{ color: #555; }} #errors {{ white-space: pre-wrap; color: #a00; padding: .8em; display: none; }}
#notes {{ white-space: pre-wrap; background: #ffd; padding: .4em .8em; display: none; font-size: 90%; }}
iframe {{ flex: 1; border: 0; width: 100%; }}
</style></head>
<body><header><b>{title}</b><span>{langs}</span><a href="/document.html?lang={lang}" target="_blank">HTML</a>
<span id="status"></span></header>
<div id="errors"></div>
<div id="notes"></div>
<iframe id="doc" src="/document.pdf?lang={lang}&amp;s={stamp}"></iframe>
<script>
let stamp = "{stamp}";
async function poll() {{
  try {{
    const state = await (await fetch("/state?lang={lang}", {{cache: "no-store"}})).json();
    const errors = document.getElementById("errors");
    errors.style.display = state.errors.length ? "block" : "none";
    errors.textContent = state.errors.join("\\n\\n");
    const notes = document.getElementById("notes");
    notes.style.display = state.notes.length ? "block" : "none";
    notes.textContent = "nysan forms check:\\n" + state.notes.join("\\n");
    document.getElementById("status").textContent = state.errors.length ? "not rendered" : "up to date " + state.time;
    if (state.stamp !== stamp && !state.errors.length) {{
      stamp = state.stamp;
      document.getElementById("doc").src = "/document.pdf?lang={lang}&s=" + stamp;
    }}
  }} catch (e) {{ document.getElementById("status").textContent = "preview stopped"; }}
  setTimeout(poll, 1000);
}}
poll();
</script></body></html>
"""


class Preview:
    """The example of one form version, rendered again whenever one of its files changes."""

    def __init__(self, form_id: str, version: str | None = None, data_dir: Path | str | None = None):
        self.form_id, self.wanted, self.data_dir = form_id, version, data_dir
        self.lock = threading.Lock()
        self._notes: tuple[str, list[str]] = ("", [])
        self.cache: dict[tuple[str, str, str], tuple[bytes | None, list[str]]] = {}
        registry = Registry(data_dir)
        form = registry.form(form_id)  # FormNotFound: told at start, not later
        self.version = (form.version(version) if version else form.latest).version
        self.root = registry.data_dir

    def watched(self) -> list[Path]:
        registry = Registry(self.data_dir)
        base = registry.schemas_dir / self.form_id
        files = [base / f"{self.version}.yaml", base / f"{self.version}.example.json"]
        files += [
            registry.templates_dir / lang / self.form_id / f"{self.version}.{kind}"
            for lang in LANGS
            for kind in ("html", "docx")
        ]
        files += [registry.templates_dir / "_shared" / self.form_id / f"{self.version}.html"]  # if it has one
        files += sorted((registry.templates_dir / "_layout").glob("*"))
        files += sorted((registry.schemas_dir / "_codelists").glob("*/*.yaml"))
        return files

    def stamp(self) -> str:
        digest = hashlib.sha256()
        for path in self.watched():
            try:
                info = path.stat()
                digest.update(f"{path}:{info.st_mtime_ns}:{info.st_size};".encode())
            except OSError:
                digest.update(f"{path}:missing;".encode())
        return digest.hexdigest()[:16]

    def render(self, lang: str, fmt: str = "pdf") -> tuple[bytes | None, list[str], str]:
        """(document or None, errors, stamp); each state of the files is rendered once."""
        with self.lock:
            stamp = self.stamp()
            key = (stamp, lang, fmt)
            if key not in self.cache:
                self.cache = {k: v for k, v in self.cache.items() if k[0] == stamp}
                self.cache[key] = self._render(lang, fmt)
            return (*self.cache[key], stamp)

    def _render(self, lang: str, fmt: str) -> tuple[bytes | None, list[str]]:
        from forms.rendering.document import render
        from forms.rendering.request import RenderRequest
        from forms.validation.validate import check

        registry = Registry(self.data_dir)  # a fresh one: the spec may have changed
        try:
            spec = registry.form(self.form_id).version(self.version)
        except Exception:  # noqa: BLE001 -- the spec does not load right now: show why
            return None, [str(e) for e in registry.errors] or [traceback.format_exc(limit=1)]
        try:
            clean, errors = check(spec, registry.example(self.form_id, self.version))
        except (OSError, ValueError) as err:  # the example is missing or not JSON (yet)
            return None, [f"{self.form_id}/{self.version}.example.json: {err}"]
        if clean is None:  # invalid: then errors says why
            return None, [f"example: {e.path}: {e.as_dict('en')['message']}" for e in errors]
        try:
            return render(registry, RenderRequest(spec.id, spec.version, clean, lang, fmt)), []
        except Exception as err:  # noqa: BLE001 -- a template being typed is often broken for a moment
            where = [
                f"{Path(f.filename).relative_to(self.root)}:{f.lineno}"
                for f in traceback.extract_tb(err.__traceback__)
                if f.filename and Path(f.filename).is_relative_to(registry.templates_dir)
            ]
            return None, [f"{where[-1] + ': ' if where else ''}{type(err).__name__}: {err}"]

    def notes(self, stamp: str) -> list[str]:
        """The quick checks of this version's files (a required field not printed yet, ...), once per change."""
        from forms.authoring.checks import run

        with self.lock:
            if self._notes[0] != stamp:
                mine = f"/{self.form_id}/{self.version}."
                report = run(self.data_dir, [self.form_id], render=False)
                self._notes = (
                    stamp,
                    [
                        str(p).replace("\n    ", " — ")
                        for p in report.problems
                        if mine in f"/{p.file}" or p.code.startswith("window")
                    ],
                )
            return self._notes[1]

    def page(self, lang: str) -> str:
        stamp = self.stamp()
        links = " ".join(f'<a href="/?lang={code}">{code}</a>' if code != lang else f"<b>{code}</b>" for code in LANGS)
        title = html.escape(f"{self.form_id} v{self.version}")
        return PAGE.format(lang=lang, title=title, langs=links, stamp=stamp)


class _Handler(BaseHTTPRequestHandler):
    preview: Preview

    def do_GET(self):  # noqa: N802 -- the http.server API
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        if host not in (HOST, "localhost"):
            return self._send(403, "text/plain; charset=utf-8", b"loopback only")
        url = urlsplit(self.path)
        lang = parse_qs(url.query).get("lang", ["kk"])[0]
        if lang not in LANGS:
            return self._send(400, "text/plain; charset=utf-8", b"lang: kk or ru")
        if url.path == "/":
            return self._send(200, "text/html; charset=utf-8", self.preview.page(lang).encode("utf-8"))
        if url.path == "/state":
            document, errors, stamp = self.preview.render(lang)
            body = {
                "stamp": stamp,
                "errors": errors,
                "notes": self.preview.notes(stamp),
                "time": time.strftime("%H:%M:%S"),
            }
            return self._send(200, "application/json", json.dumps(body, ensure_ascii=False).encode("utf-8"))
        if url.path in ("/document.pdf", "/document.html"):
            fmt = url.path.rsplit(".", 1)[1]
            document, errors, _ = self.preview.render(lang, fmt)
            if document is None:
                return self._send(200, "text/plain; charset=utf-8", "\n\n".join(errors).encode("utf-8"))
            media = "application/pdf" if fmt == "pdf" else "text/html; charset=utf-8"
            return self._send(200, media, document)
        return self._send(404, "text/plain; charset=utf-8", b"not found")

    def _send(self, status: int, media: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 -- quiet: the terminal shows only what matters
        pass


def make_server(preview: Preview, port: int = 0) -> ThreadingHTTPServer:
    handler = type("PreviewHandler", (_Handler,), {"preview": preview})
    server = ThreadingHTTPServer((HOST, port), handler)
    server.daemon_threads = True
    return server


def serve(
    form_id: str,
    version: str | None = None,
    lang: str = "kk",
    port: int = 8765,
    data_dir: Path | str | None = None,
    open_browser: bool = False,
) -> int:
    preview = Preview(form_id, version, data_dir)
    try:
        server = make_server(preview, port)
    except OSError as err:
        print(f"cannot listen on {HOST}:{port} ({err.strerror}); choose another with --port, or --port 0")
        return 2
    url = f"http://{HOST}:{server.server_address[1]}/?lang={lang}"
    print(
        f"Preview of {form_id} version {preview.version}: {url}\n"
        "The page follows your edits of the spec, the example and the templates. Ctrl+C stops it."
    )
    if open_browser:
        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
