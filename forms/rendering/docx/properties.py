"""A DOCX document's core properties: what it says about itself (form id, version, legal basis)."""

from __future__ import annotations

import datetime as dt

from forms.internals import CoreProperties

# python-docx refuses core properties longer than this (OOXML's limit for these fields).
PROPERTY_LIMIT = 255


def set_core_properties(props: CoreProperties, metadata: dict) -> None:
    """``metadata``: title, subject, keywords, identifier, version, language, category, created."""
    created = dt.datetime.combine(metadata["created"], dt.time(0, 0))
    props.title = _fit(metadata["title"], keep=f" ({metadata['category']}, v{metadata['version']})")
    props.subject = _fit(metadata["subject"])
    props.keywords = _fit(metadata["keywords"])
    props.identifier = metadata["identifier"]
    props.version = metadata["version"]
    props.language = metadata["language"]
    props.category = metadata["category"]
    props.author = "Nysan"
    props.last_modified_by = "Nysan"
    props.comments = _fit(metadata["subject"])
    props.created = created
    props.modified = created
    props.last_printed = created
    props.revision = 1


def _fit(text: str, keep: str = "") -> str:
    """Cut at a word boundary to the property limit, keeping the ``keep`` ending (form id and version
    after a long title); in the subject the act's name comes first, so it stays."""
    if len(text) <= PROPERTY_LIMIT:
        return text
    body = text[: -len(keep)] if keep and text.endswith(keep) else text
    if body is text:
        keep = ""
    return body[: PROPERTY_LIMIT - len(keep) - 1].rsplit(" ", 1)[0] + "…" + keep
