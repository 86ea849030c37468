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

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks as st_checks

from service import create_app

FUZZ_EXAMPLES = int(os.environ.get("NYSAN_FUZZ_EXAMPLES", "40"))
FUZZ_RANDOM = bool(os.environ.get("NYSAN_FUZZ_RANDOM"))   # new examples each run (CI repeats the same ones)


STATE_DIR = tempfile.mkdtemp(prefix="nysan-fuzz-state-")     # the register's SQLite, not the user's own
atexit.register(shutil.rmtree, STATE_DIR, ignore_errors=True)
app = create_app({"API_KEYS": [], "MAX_ROWS": 20, "MAX_BATCH": 3, "RENDER_TIMEOUT": 10.0, "RENDER_SLOTS": 2,
                  "STATE_DIR": STATE_DIR})
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
