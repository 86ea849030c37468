"""The legal staff's commands (forms/cli.py imports this module and calls ``register``).

    nysan forms check [--form FORM ...] [--quick] [--data-dir DIR] [--json]
    nysan forms new-version FORM --effective DATE --basis "Order No. N of DATE" [--annex N] [--version V]
    nysan forms repeal FORM --effective DATE --basis "Order No. N of DATE"
    nysan forms diff FORM V1 V2 [--lang kk|ru]
    nysan preview FORM [--version V] [--lang kk|ru] [--port 8765]

Every command takes --data-dir (default: NYSAN_DATA_DIR, else the repository or the installed package).
docs/amending-a-form.md is the step-by-step guide, in Russian and Kazakh.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from forms.languages import DOCUMENT_LANGUAGES


def _data_dir(args) -> Path | None:
    return Path(args.data_dir) if getattr(args, "data_dir", None) else None


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise SystemExit(f"not a date: {text!r}; write it as YYYY-MM-DD") from None


def cmd_check(args) -> int:
    from forms.authoring.checks import run

    report = run(_data_dir(args), args.form or None, render=not args.quick)
    if args.json:
        sys.stdout.write(
            json.dumps(
                {"ok": report.ok, "problems": [p.as_dict() for p in report.problems], "notes": report.notes},
                ensure_ascii=False,
                indent=2,
            )
            + "\n"
        )
        return 0 if report.ok else 1
    for problem in report.problems:
        print(problem)
    summary = (
        f"{report.forms} form(s), {report.versions} version(s), {report.flows} flow(s), "
        f"{report.documents} documents rendered in {report.seconds:.1f} s"
    )
    if report.ok:
        print(f"OK: every check holds ({summary}).")
    else:
        files = len({p.file for p in report.problems})
        print(
            f"\n{len(report.problems)} problem(s) in {files} file(s) ({summary}). "
            "docs/amending-a-form.md explains each [code]."
        )
    for note in report.notes:  # after the verdict: notes are not problems
        print(f"note: {note}")
    return 0 if report.ok else 1


def _versioning(change, *args, **kwargs) -> int:
    """Runs a change of the form folders (new version, repeal): what it did, or one error line."""
    from forms.authoring.versioning import VersioningError

    try:
        result = change(*args, **kwargs)
    except VersioningError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(result.describe())
    return 0


def cmd_new_version(args) -> int:
    from forms.authoring.versioning import new_version

    return _versioning(
        new_version,
        args.form,
        _date(args.effective),
        args.basis,
        annex=args.annex,
        version=args.version,
        data_dir=_data_dir(args),
        basis_kk=args.basis_kk,
        basis_ru=args.basis_ru,
    )


def cmd_repeal(args) -> int:
    from forms.authoring.versioning import repeal

    return _versioning(
        repeal,
        args.form,
        _date(args.effective),
        args.basis,
        data_dir=_data_dir(args),
        basis_kk=args.basis_kk,
        basis_ru=args.basis_ru,
    )


def cmd_diff(args) -> int:
    from forms.authoring.diff import diff_versions

    print(diff_versions(args.form, args.v1, args.v2, data_dir=_data_dir(args), langs=args.lang or None).text())
    return 0


def cmd_preview(args) -> int:
    from forms.authoring.preview import serve

    return serve(
        args.form,
        version=args.version,
        lang=args.lang,
        port=args.port,
        data_dir=_data_dir(args),
        open_browser=args.open,
    )


def _data_dir_option(parser) -> None:
    parser.add_argument(
        "--data-dir", help="the folder holding schemas/ and templates/ (default: NYSAN_DATA_DIR or the installed data)"
    )


def _basis_options(parser) -> None:
    parser.add_argument("--effective", required=True, help="first day the change applies (YYYY-MM-DD)")
    parser.add_argument("--basis", required=True, help='the act, in English: "Order No. 123 of 2026-11-20"')
    parser.add_argument("--basis-kk", help="the act's name in Kazakh (default: from the current edition's wording)")
    parser.add_argument("--basis-ru", help="the act's name in Russian (default: from the current edition's wording)")


def add_commands(commands, forms_commands) -> None:
    p = forms_commands.add_parser("check", help="check every form, version, template and example")
    p.add_argument("--form", action="append", help="only this form (repeatable)")
    p.add_argument("--json", action="store_true", help="problems as JSON")
    p.add_argument("--quick", action="store_true", help="do not render the examples (a fast pass while editing)")
    _data_dir_option(p)
    p.set_defaults(func=cmd_check)

    p = forms_commands.add_parser("new-version", help="start a new version of a form after an amendment")
    p.add_argument("form")
    _basis_options(p)
    p.add_argument("--annex", help="the annex number, when the amendment renumbers it (e.g. 3)")
    p.add_argument("--version", help="the new version's id (default: the next number)")
    _data_dir_option(p)
    p.set_defaults(func=cmd_new_version)

    p = forms_commands.add_parser("repeal", help="close the last version of a repealed form")
    p.add_argument("form")
    _basis_options(p)
    _data_dir_option(p)
    p.set_defaults(func=cmd_repeal)

    p = forms_commands.add_parser("diff", help="what changed between two versions: fields and wording")
    p.add_argument("form")
    p.add_argument("v1")
    p.add_argument("v2")
    p.add_argument("--lang", action="append", choices=DOCUMENT_LANGUAGES, help="only this language (repeatable)")
    _data_dir_option(p)
    p.set_defaults(func=cmd_diff)

    p = commands.add_parser("preview", help="a local page that re-renders the example as you edit")
    p.add_argument("form")
    p.add_argument("--version", help="default: the latest version")
    p.add_argument("--lang", choices=DOCUMENT_LANGUAGES, default="kk")
    p.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0: any free port)")
    p.add_argument("--open", action="store_true", help="open the page in the browser")
    _data_dir_option(p)
    p.set_defaults(func=cmd_preview)
