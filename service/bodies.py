"""How large a request's body may be: ``MAX_CONTENT_LENGTH``, or more for a view marked with
``large_body`` (the public verification's file upload). One answer for the app, which refuses a
declared length over it with 413 before anything reads the body, and for the serving worker
(``service.buffering``), which buffers a body up to it and hands a longer one over unread."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote, urlsplit

from flask import Flask, abort, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RoutingException

_MARK = "nysan_body_limit"


def large_body(limit: int) -> Callable:
    """A view whose body may have up to ``limit`` bytes, more than ``MAX_CONTENT_LENGTH``."""

    def mark(view: Callable) -> Callable:
        setattr(view, _MARK, limit)
        return view

    return mark


def endpoint_limit(app: Flask, endpoint: str | None) -> int:
    view = app.view_functions.get(endpoint) if endpoint else None
    return int(getattr(view, _MARK, app.config["MAX_CONTENT_LENGTH"]))


def target_limit(app: Flask, method: str, target: str) -> int:
    """The limit of a request line's method and target (``/v/abc?lang=kk``), before the request is read."""
    try:
        path = unquote(urlsplit(target).path)
        endpoint, _ = app.url_map.bind("localhost").match(path, method.upper())
    except (HTTPException, RoutingException, ValueError):  # unknown, or a redirect: the app answers it
        return endpoint_limit(app, None)
    return endpoint_limit(app, endpoint)


def install_body_limits(app: Flask) -> None:
    @app.before_request
    def declared_length_within_limit():
        limit = endpoint_limit(app, request.endpoint)
        try:
            request.max_content_length = limit
        except AttributeError:  # Flask < 3.1: MAX_CONTENT_LENGTH applies
            pass
        # Refused on what the client declares: the body, possibly still on its way, is never read.
        if (request.content_length or 0) > limit:
            abort(413)
