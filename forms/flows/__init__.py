"""Procedures as declared, versioned flows (docs/flows.md): what happens to a case, step by step, on
which clause, by whom, by when, and which document each step makes, prefilled from the application.

    from forms import flows
    stay = flows.get("stay")
    [s.name for s in stay.allowed("registered")]    # ['reserve', 'refer']
    stay.map("refer", application, case)            # the referral's prefill
    stay.journal_row(application, case)             # the case's row of the journal
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from forms.flows.registry import FlowNotFound, FlowRegistry, default_flows
from forms.flows.spec import ROLES, Basis, Deadline, Flow, Journal, Mapping, Report, State, Step, load

__all__ = [
    "ROLES",
    "Basis",
    "Deadline",
    "Flow",
    "FlowNotFound",
    "FlowRegistry",
    "Journal",
    "Mapping",
    "Report",
    "State",
    "Step",
    "get",
    "load",
]


def get(
    flow_id: str, version: str | None = None, as_of: dt.date | None = None, data_dir: Path | str | None = None
) -> Flow:
    """A flow of the package's data (or ``data_dir``'s), by version or by the day it applies on."""
    registry = FlowRegistry(data_dir) if data_dir else default_flows()
    return registry.get(flow_id, version, as_of)
