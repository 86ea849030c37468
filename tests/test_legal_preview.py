"""`nysan preview`: the page on 127.0.0.1 follows the edits of a template."""

from __future__ import annotations

import http.client
import json
import threading
import time

import pytest

from forms.authoring.preview import Preview, make_server
from forms.errors import FormNotFound
from support.datadir import NEW_FIELD, copy_data, edit
from support.text import pdf_text


@pytest.fixture
def server(tmp_path):
    data = copy_data(tmp_path / "data", ("referral",))
    httpd = make_server(Preview("referral", data_dir=data), port=0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd, data
    httpd.shutdown()
    httpd.server_close()


def get(httpd, path: str, host: str | None = None) -> tuple[int, str, bytes]:
    address, port = httpd.server_address
    connection = http.client.HTTPConnection(address, port, timeout=30)
    connection.request("GET", path, headers={"Host": host or f"127.0.0.1:{port}"})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, response.getheader("Content-Type"), body


def test_page_follows_template_edits(server):
    httpd, data = server
    assert httpd.server_address[0] == "127.0.0.1"
    status, media, page = get(httpd, "/?lang=ru")
    assert status == 200 and media.startswith("text/html") and b'<iframe id="doc"' in page and b"/state?lang=ru" in page
    state = json.loads(get(httpd, "/state?lang=ru")[2])
    assert state["errors"] == [] and state["notes"] == []
    status, media, pdf = get(httpd, "/document.pdf?lang=ru")
    assert status == 200 and media == "application/pdf"
    assert "Направляется для проживания" in pdf_text(pdf)

    edit(data / "templates/ru/referral/1.html", "Направляется для проживания", "Направляется на проживание")
    deadline = time.monotonic() + 20
    while (new_state := json.loads(get(httpd, "/state?lang=ru")[2]))["stamp"] == state["stamp"]:
        assert time.monotonic() < deadline, "the change was not noticed"
        time.sleep(0.2)
    assert new_state["errors"] == []
    assert "Направляется на проживание" in pdf_text(get(httpd, "/document.pdf?lang=ru")[2])

    # A template broken while typing: the page shows where, and recovers when it is mended.
    edit(data / "templates/ru/referral/1.html", "{{ inline(head_name, 30) }}", "{{ inline(head_name, 30) }")
    time.sleep(0.05)
    broken = json.loads(get(httpd, "/state?lang=ru")[2])
    assert broken["errors"] and "templates/ru/referral/1.html:" in broken["errors"][0]
    edit(data / "templates/ru/referral/1.html", "{{ inline(head_name, 30) }", "{{ inline(head_name, 30) }}")
    assert json.loads(get(httpd, "/state?lang=ru")[2])["errors"] == []


def test_page_lists_what_the_quick_check_finds(server):
    httpd, data = server
    edit(data / "schemas/referral/1.yaml", "  - name: issue_date\n", NEW_FIELD + "  - name: issue_date\n")
    example = data / "schemas/referral/1.example.json"
    example.write_text(
        json.dumps({**json.loads(example.read_text(encoding="utf-8")), "referral_number": "7"}), encoding="utf-8"
    )
    state = json.loads(get(httpd, "/state?lang=kk")[2])
    assert state["errors"] == []  # it still renders ...
    assert len(state["notes"]) == 4  # ... but no template prints the new field yet
    assert all("[template-required-missing]" in note and "'referral_number'" in note for note in state["notes"])


def test_only_loopback_host_names(server):
    httpd, _ = server
    assert get(httpd, "/", host="attacker.example")[0] == 403
    assert get(httpd, "/state?lang=en")[0] == 400
    assert get(httpd, "/etc/passwd")[0] == 404


def test_unknown_form_is_refused_at_start(tmp_path):
    with pytest.raises(FormNotFound):
        Preview("no-such-form", data_dir=copy_data(tmp_path / "data", ("referral",)))
