"""The registry of forms: every spec under ``schemas/``, grouped by form, with version choice.

Version choice: an explicit ``version``; otherwise the version whose window holds ``as_of``
(default: today in Asia/Almaty). A date outside every window names the act that introduced or
repealed the form.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass
from pathlib import Path

import yaml

from forms.catalogue.locations import default_data_dir
from forms.catalogue.spec import FormVersion, SpecError, load_version
from forms.errors import FormNotFound, NotInForce, VersionNotFound
from forms.fields import dates
from forms.settings import Settings, default_settings


@dataclass
class Form:
    id: str
    versions: list[FormVersion]  # ordered by effective_from

    @property
    def latest(self) -> FormVersion:
        return self.versions[-1]

    @property
    def status(self) -> str:
        return self.latest.status

    def version(self, version: str) -> FormVersion:
        for candidate in self.versions:
            if candidate.version == str(version):
                return candidate
        raise VersionNotFound(form=self.id, version=version, versions=[v.version for v in self.versions])


class Registry:
    """The forms of one data folder, rendered with one set of engine settings: ``data_dir`` if
    given, else the settings' ``data_dir``, else the package's own; ``settings`` default to the
    process's (``forms.settings.default_settings``)."""

    def __init__(self, data_dir: Path | str | None = None, settings: Settings | None = None):
        self.settings = settings or default_settings()
        self.data_dir = Path(data_dir) if data_dir else (self.settings.data_dir or default_data_dir())
        self.schemas_dir = self.data_dir / "schemas"
        self.templates_dir = self.data_dir / "templates"
        self._forms: dict[str, Form] | None = None
        self._codelists: dict[tuple[str, str], dict] = {}
        self._lock = threading.Lock()
        self.errors: list[SpecError] = []

    # --- discovery ---------------------------------------------------------------------------
    def spec_paths(self) -> list[Path]:
        return sorted(p for p in self.schemas_dir.glob("*/*.yaml") if not p.parent.name.startswith("_"))

    @property
    def forms(self) -> dict[str, Form]:
        if self._forms is None:
            with self._lock:
                if self._forms is None:
                    self._forms = self._load()
        return self._forms

    def _load(self) -> dict[str, Form]:
        # A spec that does not load keeps its whole form out of the registry (an unchecked version
        # must never be served), but leaves the other forms working; `nysan forms check` and the
        # tests fail on ``self.errors``.
        grouped: dict[str, list[FormVersion]] = {}
        broken: set[str] = set()
        self.errors = []
        for path in self.spec_paths():
            try:
                spec = load_version(path)
            except SpecError as err:
                self.errors.append(err)
                broken.add(path.parent.name)
                continue
            grouped.setdefault(spec.id, []).append(spec)
        for form_id in broken:
            grouped.pop(form_id, None)
        return {
            form_id: Form(form_id, sorted(versions, key=lambda v: v.effective_from))
            for form_id, versions in sorted(grouped.items())
        }

    def form(self, form_id: str) -> Form:
        try:
            return self.forms[form_id]
        except KeyError:
            raise FormNotFound(form=form_id) from None

    # --- version choice ----------------------------------------------------------------------
    def resolve(self, form_id: str, version: str | None = None, as_of: dt.date | str | None = None) -> FormVersion:
        form = self.form(form_id)
        explicit_date = as_of is not None
        day = _as_date(as_of) if as_of is not None else dates.today()
        if version is not None:
            chosen = form.version(version)
            if explicit_date and not chosen.covers(day):
                if day > (chosen.effective_to or day) and chosen.status == "repealed":
                    raise _repealed(form_id, chosen, day)
                raise NotInForce(
                    "version_not_in_force",
                    form=form_id,
                    version=chosen.version,
                    as_of=day,
                    effective_from=chosen.effective_from,
                    effective_to=chosen.effective_to or "—",
                )
            if not explicit_date and chosen.status == "repealed" and not chosen.covers(day):
                raise _repealed(form_id, chosen, day)
            return chosen
        for candidate in form.versions:
            if candidate.covers(day):
                return candidate
        first, last = form.versions[0], form.versions[-1]
        if day < first.effective_from:
            raise _not_yet(form_id, first, day)
        if last.status == "repealed" and day > (last.effective_to or day):
            raise _repealed(form_id, last, day)
        raise _not_yet(form_id, first, day)

    def resolve_in_force(
        self, form_id: str, version: str | None = None, as_of: dt.date | str | None = None, today: dt.date | None = None
    ) -> FormVersion:
        """``resolve`` for issuing: a document is issued only on a version in force on the day of issue
        (``today``, default today in Asia/Almaty). A version that starts later, named or picked by a
        later ``as_of``, is refused with ``not_in_force``; rendering it (a preview) stays allowed."""
        chosen = self.resolve(form_id, version, as_of)
        day = today or dates.today()
        if chosen.effective_from > day:
            raise NotInForce(
                "not_in_force", form=form_id, version=chosen.version, effective_from=chosen.effective_from, today=day
            )
        return chosen

    # --- data beside the specs ---------------------------------------------------------------
    def example(self, form_id: str, version: str | None = None) -> dict:
        form = self.form(form_id)
        spec = form.version(version) if version else form.latest
        return json.loads(spec.example_path.read_text(encoding="utf-8"))

    def template_path(self, spec: FormVersion, lang: str, fmt: str) -> Path:
        suffix = "docx" if fmt == "docx" else "html"
        return self.templates_dir / lang / spec.id / f"{spec.version}.{suffix}"

    def codelist(self, ref: str, version: str | None = None) -> dict:
        """A reference list: ``ref`` is ``id@version`` (what specs write, so that a new list
        version never changes an existing form version) or ``id`` for the newest version."""
        list_id, _, pinned = ref.partition("@")
        version = version or pinned or None
        folder = self.schemas_dir / "_codelists" / list_id
        if version is None:
            candidates = sorted(folder.glob("*.yaml"))
            if not candidates:
                raise SpecError(folder, "", f"code list {list_id!r} has no version")
            version = candidates[-1].stem
        key = (list_id, str(version))
        if key not in self._codelists:
            self._codelists[key] = yaml.safe_load((folder / f"{version}.yaml").read_text(encoding="utf-8"))
        return self._codelists[key]


def _as_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _not_yet(form_id: str, spec: FormVersion, day: dt.date) -> NotInForce:
    act = spec.legal_basis.get("act") or {}
    return NotInForce(
        "not_yet_in_force",
        form=form_id,
        as_of=day,
        effective_from=spec.effective_from,
        act=act.get("en") or act.get("kk"),
        act_kk=act.get("kk"),
        act_ru=act.get("ru"),
    )


def _repealed(form_id: str, spec: FormVersion, day: dt.date) -> NotInForce:
    repeal = spec.repealed_by or {}
    act = repeal.get("en") or repeal.get("kk") or f"Order No. {repeal.get('number')}"
    return NotInForce(
        "repealed",
        form=form_id,
        as_of=day,
        effective=repeal.get("effective"),
        act=act,
        act_kk=repeal.get("kk"),
        act_ru=repeal.get("ru"),
    )


_default: Registry | None = None


def default_registry() -> Registry:
    global _default
    if _default is None:
        _default = Registry()
    return _default
