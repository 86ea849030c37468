"""The modules' imports: no cycle among forms/ and service/, the engine never imports the service,
and other libraries' internals are reached from forms/internals.py alone."""
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
    typing_only = {id(inner) for node in ast.walk(tree) if isinstance(node, ast.If)
                   and "TYPE_CHECKING" in ast.unparse(node.test) for inner in ast.walk(node)}
    for node in ast.walk(tree):
        if id(node) in typing_only:   # never executed
            continue
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                targets.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {target for target in targets if target in known and target != name}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: {target for target in imported(name, path, known) if (name, target) not in ALLOWED_IMPORTS}
            for name, path in known.items()}


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
    assert "service.rendering" in edges["service.api.routes"]        # from ..rendering import ...
    assert "service.api.batch" in edges["service.api.routes"]        # from . import batch
    assert "forms.api" in edges["forms"]                             # from forms.api import ...
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]


def test_no_import_cycles():
    found = [sorted(component) for component in cycles(graph())]
    assert not found, f"import cycles: {found}"


def test_the_engine_never_imports_the_service():
    engine = {name: targets for name, targets in graph().items() if name.split(".")[0] == "forms"}
    assert not {name: sorted(t for t in targets if t.startswith("service")) for name, targets in engine.items()
                if any(t.startswith("service") for t in targets)}
    check = ("import forms, forms.cli, forms.authoring.cli, sys; "
             "assert not [m for m in sys.modules if m.split('.')[0] == 'service'], 'the engine loaded the service'")
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
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                        [f"{node.module}.{a.name}" for a in node.names]
                if any(n.startswith(INTERNALS) for n in names):
                    reached.setdefault(name, []).extend(names)
            elif isinstance(node, ast.Attribute) and node.attr == "_escape_inner":
                reached.setdefault(name, []).append(node.attr)
    outside = {name: found for name, found in reached.items()
               if name != "forms.internals"}
    assert not outside, f"other libraries' internals outside forms/internals.py: {outside}"


def run_python(code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=120)


def pretending(distribution: str, found: str) -> str:
    """Code that makes importlib.metadata report another version of ``distribution``."""
    return ("import importlib.metadata as m; real = m.version; "
            f"m.version = lambda d: {found!r} if d == {distribution!r} else real(d)\n")


def test_an_unverified_version_is_refused_saying_what_to_do():
    from forms import internals
    with pytest.raises(internals.UnverifiedVersion) as refused:
        internals.require("weasyprint", "71.0")
    assert str(refused.value) == ("Nysan uses internals of weasyprint verified with versions 70 to <71, and 71.0 is "
                                  "installed: pip install 'weasyprint>=70,<71' (or verify Nysan with this version, "
                                  "see forms/internals.py)")
    internals.require("python-docx", "1.2.0")
    with pytest.raises(internals.UnverifiedVersion, match="python-docx verified with versions 1.1 to <2"):
        internals.require("python-docx", "2.0.0")
    done = run_python(pretending("weasyprint", "71.0") + "import forms")
    assert done.returncode == 1 and "UnverifiedVersion: Nysan uses internals of weasyprint" in done.stderr


def test_outside_its_verified_versions_markupsafe_is_used_through_its_public_escape():
    render = ("import hashlib, forms, forms.internals as i\n"
              "data = forms.example('referral-journal')\n"
              "data['entries'][0]['birth_place'] = '<b>&amp; \"Ә\\'</b>'\n"
              "print(i.escape_str is None, hashlib.sha256(forms.render('referral-journal', data, fmt='docx')).hexdigest())")
    verified, fallback = run_python(render), run_python(pretending("markupsafe", "4.0.0") + render)
    assert verified.returncode == fallback.returncode == 0, verified.stderr + fallback.stderr
    assert verified.stdout.split()[0] == "False" and fallback.stdout.split()[0] == "True"
    assert verified.stdout.split()[1] == fallback.stdout.split()[1]   # the same document
