"""Procedures as declared flows (schemas/_flows, forms/flows): the shipped flows load and pass
`nysan forms check`; each check catches a broken copy with its code and line; a step's mapping turns
an application into a prefill the target form accepts."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

import forms
from forms import flows
from forms.authoring import checks
from forms.authoring.problems import Checker
from forms.catalogue.registry import Registry
from forms.fields import dates
from forms.flows.checks import check_flows
from recordkeeping.users import ROLES as ACCOUNT_ROLES
from support.cases import ROOT
from support.cli import nysan
from support.datadir import copy_data, edit

TODAY = dt.date(2026, 3, 11)
STAY = "schemas/_flows/stay/1.yaml"
ADAPTATION = "schemas/_flows/adaptation/1.yaml"
SPECIAL = "schemas/_flows/special-services/1.yaml"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(dates, "today", lambda: TODAY)


@pytest.fixture
def schemas(tmp_path) -> Path:
    """A data folder holding the shipped specs and flows (the flow checks read no templates)."""
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    return tmp_path


def flow_problems(data_dir: Path) -> list[checks.Problem]:
    checker = Checker(Registry(data_dir))
    check_flows(checker)
    return checker.report.problems


def example(form_id: str) -> dict:
    return json.loads((ROOT / "schemas" / form_id / "1.example.json").read_text(encoding="utf-8"))


def leaves(data: object, prefix: str = "") -> list[str]:
    """The paths of a prefill's values, as validation errors name them (entries[0].applicant)."""
    if isinstance(data, dict) and not {"last_name", "first_name"} & set(data):
        return [p for k, v in data.items() for p in leaves(v, f"{prefix}.{k}" if prefix else k)]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in leaves(v, f"{prefix}[{i}]")]
    return [prefix]


def errors_on(form_id: str, data: dict, prefill: dict) -> list[dict]:
    """Validation errors of ``data`` at (or inside) a path the prefill set."""
    mapped = leaves(prefill)
    return [e for e in forms.validate(form_id, data) if any(e["path"].startswith(p) for p in mapped)]


STAY_CASE = {
    "number": "01-17/44",
    "applicant_birth_date": "1985-04-12",
    "birth_place": "Қытай Халық Республикасы, Іле-Қазақ автономиялық облысы",
    "country_of_origin": "Қытай Халық Республикасы",
    "referral_number": "7",
    "referral_date": "2026-03-03",
    "head_name": "Ә. Б. Сейітов",
}


# --- the shipped flows ----------------------------------------------------------------------------


def test_shipped_flows_load_and_pass_the_checks():
    report = checks.run(ROOT, render=False)
    assert [p for p in report.problems if p.code.startswith("flow-")] == []
    assert report.flows == 3
    registry = flows.FlowRegistry(ROOT)
    assert sorted(registry.flows) == ["adaptation", "special-services", "stay"]
    assert registry.errors == []
    for versions in registry.flows.values():
        for flow in versions:
            for step in flow.steps:
                assert step.basis.ours or (step.basis.clause and step.basis.lines), (flow.id, step.name)
                assert not step.basis.ours or step.basis.note, (flow.id, step.name)


def test_roles_are_the_accounts_roles():
    assert flows.ROLES == ACCOUNT_ROLES


def test_stay_steps_and_terms():
    stay = flows.get("stay", as_of=dt.date(2026, 3, 11))
    assert stay.version == "1"
    assert [s.name for s in stay.allowed(None)] == ["register"]
    assert [s.name for s in stay.allowed("registered")] == ["reserve", "refer"]
    assert [s.name for s in stay.allowed("placed", role="clerk")] == ["propose_termination"]
    assert [s.name for s in stay.allowed("placed", role="supervisor")] == ["propose_termination", "end_stay"]
    assert stay.allowed("closed") == []
    place = stay.step("place")
    assert (place.deadline.days, place.deadline.unit, place.deadline.start) == (3, "calendar", ("refer",))
    terminate = stay.step("terminate")
    assert (terminate.deadline.days, terminate.deadline.unit) == (1, "working")
    assert stay.step("end_stay").deadline.months == 6
    assert stay.step("vacate").deadline.start == ("terminate", "end_stay")
    assert (stay.step("register").basis.clause, stay.step("register").basis.lines) == ("5", "66")
    with pytest.raises(KeyError):
        stay.allowed("nowhere")
    with pytest.raises(ValueError, match="one of clerk, supervisor, admin"):
        stay.allowed("placed", role="judge")


def test_a_flow_is_chosen_by_its_window():
    with pytest.raises(flows.FlowNotFound, match="in force on 2020-01-01"):
        flows.get("stay", as_of=dt.date(2020, 1, 1))
    with pytest.raises(flows.FlowNotFound, match="no version '9'"):
        flows.get("stay", version="9")
    with pytest.raises(flows.FlowNotFound, match="no flow 'nope'"):
        flows.get("nope")
    assert flows.get("adaptation").legal_basis["edition"]["number"] == "170"


# --- mapping --------------------------------------------------------------------------------------


def test_placement_application_becomes_a_valid_journal_row_and_referral():
    stay = flows.get("stay")
    application = example("placement-application")
    row = stay.journal_row(application, STAY_CASE)
    assert row["applicant"] == application["applicant"]
    assert row["application_date"] == application["application_date"]
    assert (row["application_number"], row["birth_date"]) == ("01-17/44", "1985-04-12")
    journal = {**example("referral-journal"), "entries": [row]}
    assert forms.validate("referral-journal", journal) == []

    prefill = stay.map("refer", application, STAY_CASE)
    assert prefill == {
        "applicant": application["applicant"],
        "applicant_birth_date": "1985-04-12",
        "head_name": "Ә. Б. Сейітов",
        "issue_date": "2026-03-03",
    }
    assert forms.validate("referral", {**example("referral"), **prefill}) == []
    assert forms.validate("referral", prefill) == []  # the prefill alone is a whole referral


@pytest.mark.parametrize(
    ("step", "contract"),
    [
        ("contract_violence", "violence-services-contract"),
        ("contract_trafficking", "trafficking-rehabilitation-contract"),
        ("contract_rehabilitation", "rehabilitation-contract"),
    ],
)
def test_violence_application_prefills_the_contract(step, contract):
    special = flows.get("special-services")
    application = example("violence-application")
    prefill = special.map(step, application)
    assert prefill["recipient"] == application["applicant"]
    assert prefill["organisation_name"] == application["organisation_name"]
    assert prefill["head_name"] == application["head_name"]
    assert special.step(step).makes == contract
    merged = {**example(contract), **prefill}
    assert forms.validate(contract, merged) == []


def test_the_personal_file_and_what_a_transfer_adds():
    special = flows.get("special-services")
    kept = [d.name for d in special.personal_file if not d.on_transfer]
    assert kept == ["application", "identity_document", "contract", "registration_order"]
    added = [d.name for d in special.personal_file if d.on_transfer]
    assert added[:2] == ["inventory", "acceptance_act"]
    contract = next(d for d in special.personal_file if d.name == "contract")
    assert set(contract.forms) == {s.makes for s in special.steps if s.makes}


def test_adaptation_application_prefills_the_road_map_family():
    adaptation = flows.get("adaptation")
    application = example("adaptation-application")
    case = {"kandas": {"full_name": {"last_name": "Сәрсенов", "first_name": "Ерлан"}, "iin": "900101300017"}}
    prefill = adaptation.map("road_map", application, case)
    members = prefill["family_members"]
    assert [m["full_name"] for m in members] == [
        m["full_name"] for key in ("spouse", "children", "parents", "siblings") for m in application.get(key, [])
    ]
    assert prefill["kandas"]["iin"] == "900101300017"
    merged = {**example("road-map"), **prefill}
    assert errors_on("road-map", merged, prefill) == []


def test_report_rows_from_service_records():
    adaptation = flows.get("adaptation")
    records = [
        {"member_iin": "900101300017", "service": "3", "date": "2026-02-02"},
        {"member_iin": "061211600012", "service": "25", "date": "2026-02-10"},
        {"member_iin": "900101300017", "service": "12", "date": "2026-02-20"},
    ]
    rows = adaptation.report_rows(records)
    assert rows == [
        {"iin": "900101300017", "services": {"s03": "2026-02-02", "s12": "2026-02-20"}},
        {"iin": "061211600012", "services": {"s25": "2026-02-10"}},
    ]
    assert forms.validate("adaptation-report", {**example("adaptation-report"), "rows": rows}) == []
    due = adaptation.report.deadline
    assert (due.day_of_month, adaptation.report.basis.clause) == (5, "39")


# --- each check on a broken copy ------------------------------------------------------------------

BROKEN = [
    # (what, file, old, new, code)
    (
        "mapped target missing",
        STAY,
        "    issue_date: case.referral_date",
        "    issued_on: case.referral_date",
        "flow-field-missing",
    ),
    ("mapped source missing", STAY, "    head_name: case.head_name", "    head_name: case.chief", "flow-field-missing"),
    (
        "journal column missing",
        STAY,
        "    birth_place: case.birth_place",
        "    born_in: case.birth_place",
        "flow-field-missing",
    ),
    (
        "date into a person",
        STAY,
        "    applicant: application.applicant\n    applicant_birth_date",
        "    applicant: application.application_date\n    applicant_birth_date",
        "flow-field-type",
    ),
    (
        "longer text into shorter",
        ADAPTATION,
        "  - region: case.region",
        "  - region: case.career_centre",
        "flow-field-type",
    ),
    (
        "list rows from a single value",
        ADAPTATION,
        "  - family_members[].iin: application.spouse[].iin",
        "  - family_members[].iin: case.kandas.iin",
        "flow-field-type",
    ),
    (
        "report column missing",
        ADAPTATION,
        'path: "services.s{code:02d}"',
        'path: "services.x{code:02d}"',
        "flow-field-missing",
    ),
    ("basis missing", STAY, '  basis: {act: rules, clause: "17", lines: "108"}\n', "", "flow-basis"),
    (
        "clause missing",
        STAY,
        'basis: {act: rules, clause: "17", lines: "108"}',
        'basis: {act: rules, lines: "108"}',
        "flow-basis",
    ),
    ("lines outside the act", STAY, 'clause: "17", lines: "108"', 'clause: "17", lines: "508"', "flow-basis"),
    ("unknown act", STAY, 'basis: {act: rules, clause: "17"', 'basis: {act: order, clause: "17"', "flow-basis"),
    (
        "nysan basis without a note",
        SPECIAL,
        "    act: nysan\n    note: >-",
        "    act: nysan\n    remark: >-",
        "flow-basis",
    ),
    ("step to an unknown state", STAY, "  to: closed\n", "  to: finished\n", "flow-state-unknown"),
    ("step from an unknown state", STAY, "  from: [leaving]", "  from: [leavin]", "flow-state-unknown"),
    (
        "unreachable state",
        STAY,
        "states:\n",
        "states:\n- name: archived\n  label: {kk: а, ru: а, en: a}\n",
        "flow-state-unreachable",
    ),
    (
        "no opening step",
        SPECIAL,
        "  from: []\n  to: applied",
        "  from: [admitted]\n  to: applied",
        "flow-state-unreachable",
    ),
    (
        "deadline unit",
        STAY,
        "{days: 3, unit: calendar, from: refer}",
        "{days: 3, unit: weeks, from: refer}",
        "flow-deadline",
    ),
    (
        "deadline start",
        STAY,
        "{days: 3, unit: calendar, from: refer}",
        "{days: 3, unit: calendar, from: issue}",
        "flow-deadline",
    ),
    (
        "negative deadline",
        STAY,
        "{days: 3, unit: calendar, from: refer}",
        "{days: -3, unit: calendar, from: refer}",
        "flow-deadline",
    ),
    ("two kinds of deadline", STAY, "{months: 6, from: place}", "{months: 6, days: 2, from: place}", "flow-deadline"),
    (
        "report day",
        ADAPTATION,
        "{day_of_month: 5, month: following}",
        "{day_of_month: 35, month: following}",
        "flow-deadline",
    ),
    ("makes an unknown form", STAY, "  makes: referral\n", "  makes: refferal\n", "flow-form-unknown"),
    ("unknown role", STAY, "  role: clerk\n", "  role: judge\n", "flow-spec"),
    (
        "no form version in the window",
        STAY,
        "effective_from: 2021-03-16\neffective_to: null",
        "effective_from: 2019-01-01\neffective_to: 2020-12-31",
        "flow-form-unknown",
    ),
    ("id is not the folder", STAY, "id: stay\n", "id: stays\n", "flow-spec"),
]


@pytest.mark.parametrize(("what", "file", "old", "new", "code"), BROKEN, ids=[b[0] for b in BROKEN])
def test_each_check_catches_a_broken_flow(schemas, what, file, old, new, code):
    assert flow_problems(schemas) == []
    edit(schemas / file, old, new)
    found = flow_problems(schemas)
    assert code in [p.code for p in found], "\n".join(map(str, found))
    problem = next(p for p in found if p.code == code)
    assert problem.file == file and problem.line, problem
    lines = (schemas / file).read_text(encoding="utf-8").splitlines()
    assert 1 <= problem.line <= len(lines)


def test_a_problem_points_at_the_line_of_the_mapping(schemas):
    edit(schemas / STAY, "    head_name: case.head_name", "    head_name: case.chief")
    [problem] = flow_problems(schemas)
    lines = (schemas / STAY).read_text(encoding="utf-8").splitlines()
    assert "refer" in "\n".join(lines[: problem.line]) and problem.line > 100
    assert "case.chief" in problem.message and "no field 'chief'" in problem.message


def test_versions_must_follow_one_another(schemas):
    second = schemas / "schemas/_flows/stay/2.yaml"
    second.write_text(
        (schemas / STAY).read_text(encoding="utf-8").replace('version: "1"', 'version: "2"', 1), encoding="utf-8"
    )
    assert [p.code for p in flow_problems(schemas)] == ["flow-window"]
    edit(schemas / STAY, "effective_to: null", "effective_to: 2024-12-31")
    edit(second, "effective_from: 2021-03-16", "effective_from: 2025-01-01")
    assert flow_problems(schemas) == []
    registry = flows.FlowRegistry(schemas)
    assert registry.get("stay", as_of=dt.date(2024, 12, 31)).version == "1"
    assert registry.get("stay", as_of=dt.date(2025, 1, 1)).version == "2"


def test_a_broken_flow_is_not_served(schemas):
    edit(schemas / STAY, "  to: closed\n", "  to: finished\n")
    registry = flows.FlowRegistry(schemas)
    assert "stay" not in registry.flows and "adaptation" in registry.flows
    assert [e.code for e in registry.errors] == ["flow-state-unknown"]
    with pytest.raises(flows.FlowNotFound):
        registry.get("stay")


def test_forms_check_reports_a_flow_problem(tmp_path, capsys):
    data = copy_data(tmp_path / "data")
    edit(data / ADAPTATION, "  - region: case.region", "  - region: case.career_centre")
    code, out = nysan(capsys, "forms", "check", "--quick", "--data-dir", str(data))
    assert code == 1
    assert f"{ADAPTATION}:" in out and "[flow-field-type]" in out
    assert "the source allows 200 characters, the target only 100" in out
    assert "3 flow(s)" in out


# --- deadlines on the Kazakh calendar (forms/flows/deadlines.py) ---------------------------------

ALMATY = dt.timezone(dt.timedelta(hours=5))


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=ALMATY)


def ends(day: str) -> tuple[dt.date, dt.time]:
    return dt.date.fromisoformat(day), dt.time(23, 59, 59)


def local(moment: dt.datetime) -> tuple[dt.date, dt.time]:
    moment = moment.astimezone(ALMATY)
    return moment.date(), moment.time()


def test_a_step_is_due_by_its_declared_term_on_the_kazakh_calendar():
    stay, special = flows.get("stay"), flows.get("special-services")
    # Three calendar days from a Thursday's referral end on a Sunday: the term ends on Monday.
    assert local(stay.due("place", {"refer": at("2026-12-10", 14)})) == ends("2026-12-14")
    # One working day from a Friday's proposal: Monday, at the end of the day in Almaty.
    assert local(stay.due("terminate", {"propose_termination": at("2026-11-20", 17)})) == ends("2026-11-23")
    assert local(special.due("contract_violence", {"admit": at("2026-11-27")})) == ends("2026-11-30")
    # From whichever step the case took: the end of the stay by termination or by its six months.
    assert local(stay.due("vacate", {"end_stay": at("2026-11-02")})) == ends("2026-11-05")
    # Six months from the placement (the same day of the month; the 31st of a shorter month is its last).
    assert local(stay.due("end_stay", {"place": at("2026-08-31")})) == ends("2027-03-01")  # 28.02.2027 is a Sunday


def test_a_step_without_a_term_or_whose_start_was_not_taken_is_due_never():
    stay = flows.get("stay")
    assert stay.due("register", {}) is None
    assert stay.due("place", {"register": at("2026-12-01")}) is None


def test_the_monthly_report_is_due_on_the_fifth_of_the_following_month():
    adaptation = flows.get("adaptation")
    assert local(adaptation.report_due(dt.date(2026, 10, 17))) == ends("2026-11-05")  # a Thursday
    assert local(adaptation.report_due(dt.date(2026, 11, 2))) == ends("2026-12-07")  # 5.12.2026 is a Saturday
    assert local(adaptation.report_due(dt.date(2026, 12, 31))) == ends("2027-01-05")
