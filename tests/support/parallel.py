"""Renders documents with long tables by one process and by two (forms.typeset.parallel), in a fresh
interpreter of its own: a process forks only while it has one thread, and pytest's may have more.

    python tests/support/parallel.py MODE SEED...

MODE: ``plain``, ``forms`` (every form with a table, 450 rows, both languages, and PDF/A-1b in kk; no seeds), or a fault
in the child: ``fail`` (an error in it), ``die`` (it dies after saying
where its pages end), ``decline`` (the typesetter does not support what it found). Prints one JSON
line per seed: the two PDFs' SHA-256 (or why one process declined it), the PDF of two processes in base64, whether the child laid out
the first half, the splits its last page started with, the error two processes raised, if any, and
how many child processes are left afterwards.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CSS = ROOT / "templates" / "_layout" / "form.css"
WORDS = (
    "Қазақстан",
    "Республикасы",
    "Еңбек",
    "министрлігі",
    "көшіп-қонушы",
    "қандас",
    "Алматы",
    "облысы",
    "№ 12",
    "01.02.2026",
    "әлеуметтік",
    "қызмет",
    "көрсету",
    "орталығы",
    "1 234",
    "Astana",
    "Шымкент",
)


def words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def random_document(seed: int, rows: int | None = None) -> str:
    """A heading and text, a long table (with or without heading rows, bordered or not, rows of one to
    many lines, some taller than what is left of a page), and more headings, text and a short table
    after it."""
    rng = random.Random(seed)
    count = rows or rng.randint(400, 700)
    columns = rng.randint(3, 6)
    border = rng.choice(["border:0.6pt solid black", "border-bottom:0.6pt solid black", ""])
    lengths = [1] * 6 + [3, 8, 25] + ([60] if rng.random() < 0.5 else [])

    def cell(tag: str = "td") -> str:
        align = rng.choice(["left", "center", "right", "justify"])
        return f'<{tag} style="{border};padding:1mm;text-align:{align}">{words(rng, rng.choice(lengths))}</{tag}>'

    head = ""
    if rng.random() < 0.7:
        head = "<thead><tr>" + "".join(cell("th") for _ in range(columns)) + "</tr></thead>"
    body = "".join("<tr>" + "".join(cell() for _ in range(columns)) + "</tr>" for _ in range(count))
    after = "".join(
        f"<h2>{words(rng, 2)}</h2><p>{words(rng, rng.randint(5, 60))}</p>" for _ in range(rng.randint(0, 3))
    )
    short = (
        '<table style="border-collapse:collapse;width:100%"><tr><td>'
        + words(rng, 3)
        + "</td><td>"
        + words(rng, 2)
        + "</td></tr></table>"
    )
    return (
        f'<!DOCTYPE html><html lang="kk"><head><meta charset="utf-8"><title>{words(rng, 2)}</title></head>'
        f"<body><h1>{words(rng, 3)}</h1><p>{words(rng, rng.randint(10, 80))}</p>"
        f'<table style="width:100%;border-collapse:collapse;table-layout:fixed;font-size:10pt">{head}'
        f"<tbody>{body}</tbody></table>{after}{short}</body></html>"
    )


def _children() -> int:
    """Processes whose parent is this one (a child not reaped, or still running)."""
    found = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                found += int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == os.getpid()
            except (OSError, IndexError, ValueError):
                pass
    return found


def main(mode: str, seeds: list[int]) -> None:
    from forms import typeset
    from forms.typeset import parallel

    seen: dict = {}
    lay_rows, receive = parallel.Handoff.lay_rows, parallel.Before.receive

    def recording_lay_rows(self, *args):
        laid = lay_rows(self, *args)
        seen["child"] = self.before is not None
        return laid

    def recording_receive(self, timeout):
        message = receive(self, timeout)
        if message and message[0] == "state":
            seen["rooms"] = list(message[4])
        return message

    parallel.Handoff.lay_rows, parallel.Before.receive = recording_lay_rows, recording_receive
    if mode == "fail":  # only the child paginates through parallel.paginate

        def failing(*args):
            raise RuntimeError("a fault in the child")

        parallel.paginate = failing
    elif mode == "die":
        parallel.contents = lambda *args: os._exit(3)
    elif mode == "decline":

        def declining(*args):
            raise typeset.NotSupported("something the child found")

        parallel.paginate = declining
    if mode == "forms":
        _forms(typeset, seen)
        return
    for seed in seeds:
        html = random_document(seed)
        seen.clear()
        try:
            one = typeset.render(html, CSS, b"0" * 32, None, 1)
        except typeset.NotSupported as declined:  # a row taller than a page: WeasyPrint's
            print(json.dumps({"seed": seed, "unsupported": str(declined)}), flush=True)
            continue
        result = {"seed": seed, "one": hashlib.sha256(one).hexdigest()}
        seen.clear()
        try:
            two = typeset.render(html, CSS, b"0" * 32, None, 2)
        except typeset.NotSupported as declined:
            result["error"] = str(declined)
        else:
            result.update(two=hashlib.sha256(two).hexdigest(), pdf=base64.b64encode(two).decode("ascii"))
        result.update(child=seen.get("child", False), rooms=seen.get("rooms"), children_left=_children())
        print(json.dumps(result), flush=True)


def _forms(typeset, seen: dict) -> None:
    """Every form with a table, in both languages, with 450 rows (the example's in turn)."""
    import forms
    from forms.pdfa import Archival
    from support.cases import as_of_for, with_rows

    registry = forms.default_registry()
    for form in registry.forms.values():
        for version in form.versions:
            if not version.rows_field:
                continue
            for lang in ("kk", "ru"):
                html = forms.render(
                    form.id,
                    with_rows(form.id, version.version, 450),
                    lang=lang,
                    fmt="html",
                    version=version.version,
                    as_of=as_of_for(form.id, version.version),
                ).decode()
                # PDF/A-1b too: its fonts' CIDSets are made from the glyphs both processes drew.
                for archival in (None, Archival("1b")) if lang == "kk" else (None,):
                    seen.clear()
                    one = typeset.render(html, CSS, b"0" * 32, archival, 1)
                    seen.clear()
                    two = typeset.render(html, CSS, b"0" * 32, archival, 2)
                    name = f"{form.id} v{version.version} {lang}" + (" PDF/A-1b" if archival else "")
                    print(
                        json.dumps(
                            {
                                "form": name,
                                "child": seen.get("child", False),
                                "one": hashlib.sha256(one).hexdigest(),
                                "two": hashlib.sha256(two).hexdigest(),
                                "children_left": _children(),
                            }
                        ),
                        flush=True,
                    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "tests"))
    sys.path.insert(0, str(ROOT))
    main(sys.argv[1], [int(seed) for seed in sys.argv[2:]])
