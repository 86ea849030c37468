"""The modules' imports: no cycle among forms/, recordkeeping/ and service/; each layer imports only
those below it (``LAYER_RULES``); other libraries' internals are reached from forms/internals.py alone."""

from __future__ import annotations

import ast
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("forms", "recordkeeping", "service")
# The typesetter lays out a block's tables, whose cells are blocks again, as WeasyPrint does: the one
# import that closes that loop (a function-level import in layout.py) is allowed.
ALLOWED_IMPORTS = {("forms.typeset.layout", "forms.typeset.tables")}
# Other libraries' internals: reached only through forms/internals.py, which checks their versions.
INTERNALS = ("weasyprint.text.ffi", "docx.opc", "markupsafe._escape_inner")


# Alembic's scripts run inside Alembic (env.py reads alembic.context.config): not importable modules.
SCRIPTS = ("recordkeeping/migrations",)


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if str(path.relative_to(ROOT)).startswith(SCRIPTS):
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imported(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The modules of ours that a module imports, anywhere in it (at the top or inside a function)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        if id(node) in typing_only:  # never executed
            continue
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            for alias in node.names:
                targets.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {target for target in targets if target in known and target != name}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {
        name: {target for target in imported(name, path, known) if (name, target) not in ALLOWED_IMPORTS}
        for name, path in known.items()
    }


def cycles(edges: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(edges[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_what_is_imported():
    edges = graph()
    assert "service.rendering" in edges["service.api.routes"]  # from ..rendering import ...
    assert "service.api.batch" in edges["service.api.routes"]  # from . import batch
    assert "forms.api" in edges["forms"]  # from forms.api import ...
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]


def test_no_import_cycles():
    found = [sorted(component) for component in cycles(graph())]
    assert not found, f"import cycles: {found}"


def imports_of(prefix: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    """The modules under ``prefix`` that import a module under one of ``forbidden``, with those imports."""

    def within(name: str, package: str) -> bool:
        return name == package or name.startswith(package + ".")

    found = {}
    for name, targets in graph().items():
        if within(name, prefix):
            bad = sorted(t for t in targets if any(within(t, f) for f in forbidden))
            if bad:
                found[name] = bad
    return found


# The layers (issue 25): the engine is pure; the system of record uses the engine; the service uses
# both; inside the service, the JSON API and the web pages are siblings that never import each other.
LAYER_RULES = [
    ("forms", ("recordkeeping", "service")),
    ("recordkeeping", ("service",)),
    ("service.api", ("service.web",)),
    ("service.web", ("service.api",)),
    # inside the engine: the catalogue below rendering; the typesetter and the mark below rendering
    # too (the PDF/A primitives they share are forms/pdfa.py)
    ("forms.catalogue", ("forms.rendering", "forms.typeset", "forms.postprocess")),
    ("forms.typeset", ("forms.rendering",)),
    ("forms.pdfa", ("forms.rendering", "forms.typeset", "forms.postprocess")),
]


@pytest.mark.parametrize("prefix, forbidden", LAYER_RULES, ids=[rule[0] for rule in LAYER_RULES])
def test_each_layer_imports_only_those_below_it(prefix, forbidden):
    assert not imports_of(prefix, forbidden)


def test_a_layer_rule_sees_a_forbidden_import():
    edges = graph()
    assert "service.records" in edges["service.api.documents"] and "service.records" in edges["service.web.documents"]
    assert imports_of("service.api", ("service.records",))  # a rule that would be broken is seen


def test_only_the_system_of_record_reaches_the_database():
    """The service sees one error for any outage (RegisterUnavailable), never a SQLAlchemy type."""
    reaching = {}
    for name, path in modules().items():
        if name.split(".")[0] == "recordkeeping":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found = [a.name for a in node.names if a.name.split(".")[0] in ("sqlalchemy", "alembic", "psycopg")]
            elif isinstance(node, ast.ImportFrom):
                found = (
                    [node.module] if (node.module or "").split(".")[0] in ("sqlalchemy", "alembic", "psycopg") else []
                )
            else:
                continue
            if found:
                reaching.setdefault(name, []).extend(found)
    assert not reaching


def test_the_engine_loads_neither_the_record_nor_the_service():
    check = (
        "import forms, forms.cli, forms.authoring.cli, sys; "
        "assert not [m for m in sys.modules if m.split('.')[0] in ('service', 'recordkeeping')], "
        "'the engine loaded another layer'; forms.render('referral', forms.example('referral'))"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    subprocess.run([sys.executable, "-c", check], check=True, env=env, cwd=ROOT)


def test_the_record_loads_no_part_of_the_service():
    check = (
        "import recordkeeping, recordkeeping.cli, recordkeeping.documents, sys; "
        "assert not [m for m in sys.modules if m.split('.')[0] == 'service'], 'the record loaded the service'"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    subprocess.run([sys.executable, "-c", check], check=True, env=env, cwd=ROOT)


@pytest.mark.parametrize("name", sorted(name for name in modules() if not name.endswith("__main__")))
def test_every_module_imports(name):
    importlib.import_module(name)


def test_other_libraries_internals_are_reached_from_one_module():
    reached = {}
    for name, path in modules().items():
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [f"{node.module}.{a.name}" for a in node.names]
                )
                if any(n.startswith(INTERNALS) for n in names):
                    reached.setdefault(name, []).extend(names)
            elif isinstance(node, ast.Attribute) and node.attr == "_escape_inner":
                reached.setdefault(name, []).append(node.attr)
    outside = {name: found for name, found in reached.items() if name != "forms.internals"}
    assert not outside, f"other libraries' internals outside forms/internals.py: {outside}"


def run_python(code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)


def pretending(distribution: str, found: str) -> str:
    """Code that makes importlib.metadata report another version of ``distribution``."""
    return (
        "import importlib.metadata as m; real = m.version; "
        f"m.version = lambda d: {found!r} if d == {distribution!r} else real(d)\n"
    )


def test_an_unverified_version_is_refused_saying_what_to_do():
    from forms import internals

    with pytest.raises(internals.UnverifiedVersion) as refused:
        internals.require("weasyprint", "71.0")
    assert str(refused.value) == (
        "Nysan uses internals of weasyprint verified with versions 70 to <71, and 71.0 is "
        "installed: pip install 'weasyprint>=70,<71' (or verify Nysan with this version, "
        "see forms/internals.py)"
    )
    internals.require("python-docx", "1.2.0")
    with pytest.raises(internals.UnverifiedVersion, match="python-docx verified with versions 1.1 to <2"):
        internals.require("python-docx", "2.0.0")
    done = run_python(pretending("weasyprint", "71.0") + "import forms")
    assert done.returncode == 1 and "UnverifiedVersion: Nysan uses internals of weasyprint" in done.stderr


def test_outside_its_verified_versions_markupsafe_is_used_through_its_public_escape():
    render = (
        "import hashlib, forms, forms.internals as i\n"
        "data = forms.example('referral-journal')\n"
        "data['entries'][0]['birth_place'] = '<b>&amp; \"Ә\\'</b>'\n"
        "print(i.escape_str is None, hashlib.sha256(forms.render('referral-journal', data, fmt='docx')).hexdigest())"
    )
    verified, fallback = run_python(render), run_python(pretending("markupsafe", "4.0.0") + render)
    assert verified.returncode == fallback.returncode == 0, verified.stderr + fallback.stderr
    assert verified.stdout.split()[0] == "False" and fallback.stdout.split()[0] == "True"
    assert verified.stdout.split()[1] == fallback.stdout.split()[1]  # the same document
