"""Nysan's HTTP service: the JSON render API (``service.api``) and the clerks' web forms (``service.web``)."""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # Imported on first use, so that `nysan render` (service.cli) does not load Flask.
    if name == "create_app":
        from service.app import create_app

        return create_app
    raise AttributeError(name)
