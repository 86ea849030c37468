"""The web forms fuzzed as schemathesis fuzzes the API: posts built by hypothesis from each form's own
field names (and invented ones), values of any text, every action (and invented ones), a
``_payload`` of any JSON or none, uploads of any bytes. Whatever is posted: never a 5xx.

Bounded in count (NYSAN_WEB_FUZZ_EXAMPLES per test, default 60) and in time (small row limits and a
short render timeout, so that no request can run long); the same examples each run unless
NYSAN_FUZZ_RANDOM=1.
"""

from __future__ import annotations

import io
import json
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service import create_app

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("NYSAN_WEB_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("NYSAN_FUZZ_RANDOM"),
    suppress_health_check=list(HealthCheck),
)

app = create_app(
    {
        "API_KEYS": [],
        "TESTING": True,
        "SECRET_KEY": "fuzz",
        "MAX_ROWS": 20,
        "MAX_REQUEST_ROWS": 40,
        "RENDER_TIMEOUT": 10.0,
        "RENDER_SLOTS": 2,
    }
)
REGISTRY = app.extensions["nysan.registry"]


def paths(specs, prefix: str = "") -> list[str]:
    """Every input name a form posts (list rows 0 and 1), the way the page names them."""
    found = []
    for spec in specs:
        name = f"{prefix}{spec.name}"
        if spec.type == "list":
            for row in (0, 1):
                found.extend(paths(spec.children, f"{name}[{row}]."))
        elif spec.type == "person":
            found.extend(f"{name}.{part}" for part in ("last_name", "first_name", "patronymic"))
        elif spec.children:
            found.extend(paths(spec.children, f"{name}."))
        else:
            found.append(name)
    return found


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)
ACTIONS = (
    st.sampled_from(
        [
            "check",
            "pdf",
            "docx",
            "preview",
            "edit",
            "upload",
            "add:members",
            "remove:members[0]",
            "up:members[1]",
            "down:members[0]",
            "add:x[99999999999]",
            "remove:",
            "bogus",
        ]
    )
    | TEXT
)


def csrf(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    return found.group(1) if found else ""


FORM_IDS = [
    form_id
    for form_id in REGISTRY.forms  # the forms the web offers today
    if app.test_client().get(f"/forms/{form_id}").status_code == 200
]


@st.composite
def posts(draw, form_id: str):
    spec = REGISTRY.resolve(form_id)
    names = paths(spec.fields)
    chosen = draw(st.lists(st.sampled_from(names), max_size=len(names), unique=True)) if names else []
    fields = {name: draw(TEXT) for name in chosen}
    invented = draw(st.dictionaries(st.text("abc[]0129.", min_size=1, max_size=30), TEXT, max_size=5))
    fields.update(invented)
    fields["_action"] = draw(ACTIONS)
    fields["doc_lang"] = draw(st.sampled_from(["kk", "ru", "xx"]))
    payload = draw(st.none() | JSON.map(lambda v: json.dumps(v, ensure_ascii=False)) | TEXT)
    if payload is not None:
        fields["_payload"] = payload
    return fields


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_no_post_to_a_form_answers_5xx(form_id):
    client = app.test_client()
    path = f"/forms/{form_id}"
    token = csrf(client, path)

    @FUZZ
    @given(posts(form_id))
    def check(fields):
        response = client.post(path, data={**fields, "csrf_token": token})
        assert response.status_code < 500, (response.status_code, fields)

    check()


UPLOAD_FORMS = [f for f in FORM_IDS if REGISTRY.resolve(f).rows_field]


@pytest.mark.parametrize("form_id", UPLOAD_FORMS)
def test_no_upload_answers_5xx(form_id):
    client = app.test_client()
    path = f"/forms/{form_id}"
    token = csrf(client, path)
    header = ";".join(
        name.split("].", 1)[-1]
        for name in paths(REGISTRY.resolve(form_id).fields)
        if name.startswith(f"{REGISTRY.resolve(form_id).rows_field}[0].")
    )

    contents = (
        st.binary(max_size=2000)
        | st.lists(st.lists(TEXT, max_size=8), max_size=10).map(
            lambda rows: (header + "\n" + "\n".join(";".join(r) for r in rows)).encode("utf-8")
        )
        | st.binary(max_size=500).map(lambda b: b"PK\x03\x04" + b)
    )

    @FUZZ
    @given(contents, st.sampled_from(["rows.csv", "rows.xlsx", "rows.txt", "rows", "rows.exe"]))
    def check(content, filename):
        response = client.post(
            path,
            data={"_action": "upload", "csrf_token": token, "rows_file": (io.BytesIO(content), filename)},
            content_type="multipart/form-data",
        )
        assert response.status_code < 500, (response.status_code, filename, content[:100])

    check()


def test_the_fuzz_reaches_the_forms_and_their_uploads():
    assert "referral" in FORM_IDS and "referral-journal" in UPLOAD_FORMS
