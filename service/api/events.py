"""The change feed: GET /api/v1/events, the organisation's document and case changes in order, so
that other systems can follow them page by page (``after`` the last ``seq`` seen) without polling
each case. Scope ``audit``: the feed is a part of the audit trail, with fewer fields."""

from __future__ import annotations

from flask import Blueprint, jsonify

from recordkeeping import feed
from recordkeeping.documents import MAX_ROW

from ..records import current_register
from ..rendering import NO_STORE
from .documents import ListQuery, actor

DEFAULT_LIMIT, MAX_LIMIT = 100, 1000


def install_routes(bp: Blueprint) -> None:
    @bp.get("/api/v1/events")
    def list_events():
        query = ListQuery()
        limit = query.number("limit", 1, MAX_LIMIT) or DEFAULT_LIMIT
        after = query.number("after", 0, MAX_ROW) or 0  # an event's number, a BIGINT
        query.done()
        events = feed.changes(current_register().db, actor(), after, limit)
        following = events[-1]["seq"] if events else None
        return jsonify({"events": events, "next": following}), 200, NO_STORE
