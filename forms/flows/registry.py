"""The flows of a data folder (``schemas/_flows/<flow>/<version>.yaml``), by id and version, with the
version chosen by its window of effect as forms' versions are."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

from forms.catalogue.locations import default_data_dir
from forms.catalogue.spec import SpecError
from forms.fields import dates
from forms.flows.spec import Flow, load

FLOWS_DIR = "_flows"


def flow_paths(schemas_dir: Path) -> list[Path]:
    return sorted((schemas_dir / FLOWS_DIR).glob("*/*.yaml"))


class FlowNotFound(LookupError):
    """No such flow, version, or none in force on the day asked."""


class FlowRegistry:
    """Every flow under ``<data_dir>/schemas/_flows``. A flow file that does not load keeps its whole
    flow out (as a broken form spec does); ``errors`` lists why, and `nysan forms check` reports it."""

    def __init__(self, data_dir: Path | str | None = None):
        self.data_dir = Path(data_dir) if data_dir else default_data_dir()
        self._flows: dict[str, list[Flow]] | None = None
        self._lock = threading.Lock()
        self.errors: list[SpecError] = []

    @property
    def flows(self) -> dict[str, list[Flow]]:
        if self._flows is None:
            with self._lock:
                if self._flows is None:
                    self._flows = self._load()
        return self._flows

    def _load(self) -> dict[str, list[Flow]]:
        grouped: dict[str, list[Flow]] = {}
        broken: set[str] = set()
        for path in flow_paths(self.data_dir / "schemas"):
            try:
                flow = load(path)
            except SpecError as err:
                self.errors.append(err)
                broken.add(path.parent.name)
                continue
            grouped.setdefault(flow.id, []).append(flow)
        return {
            flow_id: sorted(versions, key=lambda f: f.effective_from)
            for flow_id, versions in sorted(grouped.items())
            if flow_id not in broken
        }

    def get(self, flow_id: str, version: str | None = None, as_of: dt.date | None = None) -> Flow:
        """The flow ``flow_id``: the named ``version``, else the one in force on ``as_of`` (default today
        in Asia/Almaty)."""
        versions = self.flows.get(flow_id)
        if not versions:
            raise FlowNotFound(f"there is no flow {flow_id!r} (flows: {', '.join(self.flows)})")
        if version is not None:
            for flow in versions:
                if flow.version == str(version):
                    return flow
            raise FlowNotFound(f"flow {flow_id!r} has no version {version!r}")
        day = as_of or dates.today()
        for flow in versions:
            if flow.covers(day):
                return flow
        raise FlowNotFound(f"no version of flow {flow_id!r} is in force on {day}")


_default: FlowRegistry | None = None


def default_flows() -> FlowRegistry:
    global _default
    if _default is None:
        _default = FlowRegistry()
    return _default
