"""schemathesis against /openapi.json, in process (WSGI, no network): for data generated from the
document itself, and for data that breaks it, no 5xx and every response as the document says.

Bounded in count (FUZZ_EXAMPLES per operation, NYSAN_FUZZ_EXAMPLES to change; NYSAN_FUZZ_RANDOM=1
for new examples rather than the same ones each run) and in time (small limits on rows, batch size
and render time, so that no request can run long).
"""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks as st_checks

import forms
from service import create_app

FUZZ_EXAMPLES = int(os.environ.get("NYSAN_FUZZ_EXAMPLES", "40"))
FUZZ_RANDOM = bool(os.environ.get("NYSAN_FUZZ_RANDOM"))   # new examples each run (CI repeats the same ones)


def complete_forms_dir() -> Path:
    """A data folder holding the forms whose every version has its example and all four templates.

    Forms that other people are still writing may lack a template (a 500 that is theirs to fix);
    once every form is complete this is the whole registry.
    """
    registry = forms.default_registry()
    root = Path(tempfile.mkdtemp(prefix="nysan-fuzz-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    (root / "schemas").mkdir()
    (root / "templates").mkdir()
    (root / "schemas" / "_codelists").symlink_to(registry.schemas_dir / "_codelists")
    (root / "templates" / "_layout").symlink_to(registry.templates_dir / "_layout")
    for lang in forms.DOCUMENT_LANGUAGES:
        (root / "templates" / lang).mkdir()
    for form in registry.forms.values():
        if all(v.example_path.is_file() and all(registry.template_path(v, lang, fmt).is_file()
                                                for lang in forms.DOCUMENT_LANGUAGES for fmt in ("html", "docx"))
               for v in form.versions):
            (root / "schemas" / form.id).symlink_to(registry.schemas_dir / form.id)
            for lang in forms.DOCUMENT_LANGUAGES:
                (root / "templates" / lang / form.id).symlink_to(registry.templates_dir / lang / form.id)
    return root


STATE_DIR = tempfile.mkdtemp(prefix="nysan-fuzz-state-")     # the register's SQLite, not the user's own
atexit.register(shutil.rmtree, STATE_DIR, ignore_errors=True)
app = create_app({"API_KEYS": [], "DATA_DIR": str(complete_forms_dir()), "MAX_ROWS": 20, "MAX_BATCH": 3,
                  "RENDER_TIMEOUT": 10.0, "RENDER_SLOTS": 2, "STATE_DIR": STATE_DIR})
assert {"referral", "placement-application"} <= set(app.extensions["nysan.registry"].forms)
# A request that breaks the document may also break a limit (too many rows or documents): the 413
# it then gets is a rejection too.
REJECTIONS = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]
config = schemathesis.Config.from_dict({"checks": {"negative_data_rejection": {"expected-statuses": REJECTIONS}}})
schema = schemathesis.openapi.from_wsgi("/openapi.json", app, config=config)

CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
    st_checks.response_headers_conformance,
    st_checks.negative_data_rejection,
    st_checks.unsupported_method,
]


@schema.parametrize()
@settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=not FUZZ_RANDOM,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_api_conforms_to_its_openapi_document(case):
    case.call_and_validate(checks=CHECKS)
