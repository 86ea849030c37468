"""The `nysan` command line.

    nysan forms list [--json]
    nysan forms schema FORM [--version V]
    nysan forms example FORM [--version V]
    nysan validate FORM DATA.json [--version V] [--as-of DATE] [--lang kk|ru|en]
    nysan render FORM DATA.json --lang kk|ru --format pdf|docx|html -o OUT [--version V] [--as-of DATE]
                 [--pdfa 2b|1b|3b]
    nysan extract FILE            the data a Nysan PDF/A-3b or DOCX carries, as JSON
    nysan calendar YEAR [--json]  the year's days off and transfers in Kazakhstan (forms.calendar.cli)

``main`` builds the parser from the engine's commands and the sets of commands it is given, each
added by a function ``add_commands(commands, forms_commands)``: alone (``python -m forms``) the
engine's and the legal staff's (``forms.authoring.cli``); ``service.cli`` composes every layer's
into the ``nysan`` command (the engine never imports the other layers).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from forms import api
from forms.authoring import cli as authoring_cli
from forms.calendar import cli as calendar_cli
from forms.catalogue.registry import Registry
from forms.errors import NysanError, ValidationFailed
from forms.languages import DOCUMENT_LANGUAGES, MESSAGE_LANGUAGES
from forms.pdfa import VARIANTS as PDFA_VARIANTS
from forms.rendering.gcpause import gc_paused
from forms.rendering.request import FORMATS
from forms.settings import Settings, SettingsError

# Adds a set of commands to the parser: ``add_commands(commands, forms_commands)``.
CommandSet = Callable[[Any, Any], None]


def _dump(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def _read_data(source: str) -> Any:
    text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    return json.loads(text)


def cmd_list(args) -> int:
    items = api.list_forms(args.registry)
    if args.json:
        _dump(items)
        return 0
    for item in items:
        versions = ", ".join(
            f"{v['version']} ({v['effective_from']}–{v['effective_to'] or ''})" for v in item["versions"]
        )
        status = "repealed" if item["status"] == "repealed" else "in force"
        designed = ", designed form" if not item["official"] else ""
        print(f"{item['id']:<38} {status:<9}{designed}  versions: {versions}")
        print(f"{'':<38} {item['title']['kk']}")
    return 0


def cmd_schema(args) -> int:
    _dump(api.schema(args.form, args.version, args.registry))
    return 0


def cmd_example(args) -> int:
    _dump(api.example(args.form, args.version, args.registry))
    return 0


def cmd_validate(args) -> int:
    try:
        data = _read_data(args.data)
    except (OSError, json.JSONDecodeError) as err:
        _dump([{"path": "", "code": "invalid_json", "message": str(err)}])
        return 1
    errors = api.validate(
        args.form, data, version=args.version, as_of=args.as_of, lang=args.lang, registry=args.registry
    )
    _dump(errors if errors else {"valid": True})
    return 1 if errors else 0


def cmd_render(args) -> int:
    try:
        data = _read_data(args.data)
    except (OSError, json.JSONDecodeError) as err:
        _dump([{"path": "", "code": "invalid_json", "message": str(err)}])
        return 1
    try:
        with gc_paused():  # this process is ours: a long journal renders faster without the collector
            document, spec = api.render_document(
                args.form,
                data,
                lang=args.lang,
                fmt=args.format,
                version=args.version,
                as_of=args.as_of,
                registry=args.registry,
                pdfa=args.pdfa,
            )
    except ValidationFailed as err:
        _dump(err.as_dicts(args.message_lang))
        return 1
    if args.output == "-":
        sys.stdout.buffer.write(document)
    else:
        Path(args.output).write_bytes(document)
        print(
            f"{args.output}: {args.form} v{spec.version}, {args.lang}, {args.format}, {len(document)} bytes",
            file=sys.stderr,
        )
    return 0


def cmd_extract(args) -> int:
    """Exit 1 with one line on standard error for a file it cannot reopen (never a traceback)."""
    from forms.extract import ExtractedDataInvalid, extract

    try:
        content = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
        found = extract(content)
    except OSError as err:
        print(f"nysan extract: {args.file}: {err.strerror or err}", file=sys.stderr)
        return 1
    except ExtractedDataInvalid as err:
        faults = "; ".join(f"{e['path'] or '(data)'}: {e['message']}" for e in err.as_dicts("en"))
        print(f"nysan extract: {args.file}: {err.message('en')} {faults}", file=sys.stderr)
        return 1
    except NysanError as err:
        print(f"nysan extract: {args.file}: {err.message('en')}", file=sys.stderr)
        return 1
    _dump(found)
    return 0


def build_parser(command_sets: tuple[CommandSet, ...]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nysan", description="Official forms: validate and render.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    forms_parser = commands.add_parser("forms", help="the registry of forms")
    forms_commands = forms_parser.add_subparsers(dest="forms_command", required=True, metavar="ACTION")
    p = forms_commands.add_parser("list", help="forms, their versions and status")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)
    for name, func, text in (
        ("schema", cmd_schema, "JSON Schema of a version"),
        ("example", cmd_example, "example payload of a version"),
    ):
        p = forms_commands.add_parser(name, help=text)
        p.add_argument("form")
        p.add_argument("--version")
        p.set_defaults(func=func)

    p = commands.add_parser("validate", help="check data; exit 1 with JSON errors")
    p.add_argument("form")
    p.add_argument("data", help="JSON file, or - for standard input")
    p.add_argument("--version")
    p.add_argument("--as-of", dest="as_of")
    p.add_argument("--lang", choices=MESSAGE_LANGUAGES, default="en", help="language of the messages")
    p.set_defaults(func=cmd_validate)

    p = commands.add_parser("render", help="make the document")
    p.add_argument("form")
    p.add_argument("data", help="JSON file, or - for standard input")
    p.add_argument("--lang", choices=DOCUMENT_LANGUAGES, default="kk")
    p.add_argument("--format", choices=FORMATS, default="pdf")
    p.add_argument("-o", "--output", required=True, help="file to write, or - for standard output")
    p.add_argument("--version")
    p.add_argument("--as-of", dest="as_of")
    p.add_argument("--message-lang", choices=MESSAGE_LANGUAGES, default="en")
    p.add_argument(
        "--pdfa",
        choices=PDFA_VARIANTS,
        default="2b",
        help="PDF/A variant of a PDF: 2b, 1b (PDF/A-1 archives), 3b (carries its data)",
    )
    p.set_defaults(func=cmd_render)

    p = commands.add_parser("extract", help="the data a Nysan PDF/A-3b or DOCX carries; exit 1 if none")
    p.add_argument("file", help="PDF or DOCX file, or - for standard input")
    p.set_defaults(func=cmd_extract)

    for add_commands in command_sets:
        add_commands(commands, forms_commands)
    return parser


def main(argv: list[str] | None = None, command_sets: tuple[CommandSet, ...] | None = None) -> int:
    if command_sets is None:
        command_sets = (authoring_cli.add_commands, calendar_cli.add_commands)
    args = build_parser(command_sets).parse_args(argv)
    try:
        # Read once, before any work: a bad NYSAN_* value stops every command with one line.
        args.registry = Registry(settings=Settings.load())
        return args.func(args)
    except SettingsError as err:
        print(f"nysan: {err}", file=sys.stderr)
        return 2
    except NysanError as err:
        _dump({"code": err.code, "message": err.message("en")})
        return 2
    except ValueError as err:  # a malformed --as-of date
        _dump({"code": "invalid_argument", "message": str(err)})
        return 2
    except BrokenPipeError:  # `nysan forms list | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
