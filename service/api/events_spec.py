"""The change feed's part of /openapi.json (service/api/events.py)."""

from __future__ import annotations

from recordkeeping.feed import TYPES

from . import schemas as s
from .events import DEFAULT_LIMIT, MAX_LIMIT
from .register_spec import _query

TEXT = {"type": "string"}
EVENTS = {
    "type": "object",
    "required": ["events", "next"],
    "properties": {
        "next": {
            "type": ["integer", "null"],
            "description": "The last event's `seq`: `after` of the next request; null when there is none yet",
        },
        "events": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["seq", "at", "type"],
                "additionalProperties": False,
                "description": "A change: ids and types only, no personal data",
                "properties": {
                    "seq": {"type": "integer"},
                    "at": {"type": "string", "description": "When, in UTC (ISO 8601)"},
                    "type": {"type": "string", "enum": sorted(set(TYPES.values()))},
                    "document": {"type": "string", "description": "The document's id (for a step: the one it made)"},
                    "case": TEXT,
                    "step": {"type": "string", "description": "The flow's step a case took (case.opened, case.step)"},
                },
            },
        },
    },
}


def add_paths(spec, op, ok) -> None:
    """``op`` and ``ok`` are openapi.py's, as for the register's paths."""
    spec.components.schema("Events", EVENTS)
    spec.path(
        path="/api/v1/events",
        operations={
            "get": op(
                "The organisation's document and case changes, oldest first (scope audit)",
                {"200": ok("Changes, oldest first", s.ref("Events"))},
                [
                    _query(
                        "limit",
                        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
                        "At most",
                    ),
                    _query(
                        "after",
                        {"type": "integer", "minimum": 0},
                        "Only changes after this event (`next` of the previous answer)",
                    ),
                ],
                errors=("400", "503"),
                tags=("register",),
            )
        },
    )
