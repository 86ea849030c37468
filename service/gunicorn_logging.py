"""gunicorn's own log lines without personal data: gunicorn logs a bad request's line (query string
included: ``?iin=…``) and an unexpected error's traceback; here query strings and quoted values are
cut from every line, an exception is logged by type and place, and the access log (when one is
configured) shows paths without their queries."""

from __future__ import annotations

import re
import sys

from gunicorn.glogging import Logger as GunicornLogger

from service.errorlog import where

QUERY_RE = re.compile(r"\?[^\s'\"]*")
QUOTED_RE = re.compile(r"'[^']*'|\"[^\"]*\"")


def scrub(text: str) -> str:
    """A log line with its query strings and quoted values taken out."""
    return QUOTED_RE.sub("'…'", QUERY_RE.sub("?…", text))


def _line(msg, args) -> str:
    try:
        text = str(msg) % args if args else str(msg)
    except (TypeError, ValueError):
        text = str(msg)
    return scrub(text)


class Logger(GunicornLogger):
    def critical(self, msg, *args, **kwargs):
        self.error_log.critical(_line(msg, args))

    def error(self, msg, *args, **kwargs):
        self.error_log.error(_line(msg, args))

    def warning(self, msg, *args, **kwargs):
        self.error_log.warning(_line(msg, args))

    def info(self, msg, *args, **kwargs):
        self.error_log.info(_line(msg, args))

    def debug(self, msg, *args, **kwargs):
        self.error_log.debug(_line(msg, args))

    def exception(self, msg, *args, **kwargs):
        err = sys.exc_info()[1]
        self.error_log.error("%s: %s", _line(msg, args), where(err) if err is not None else "")

    def log(self, lvl, msg, *args, **kwargs):
        super().log(lvl, _line(msg, args))

    def atoms(self, resp, req, environ, request_time):
        found = super().atoms(resp, req, environ, request_time)
        found["q"] = ""
        found["r"] = (
            f"{environ.get('REQUEST_METHOD', '-')} {environ.get('PATH_INFO', '')} {environ.get('SERVER_PROTOCOL', '-')}"
        )
        found["{raw_uri}e"], found["{query_string}e"] = found.get("U", ""), ""  # the environ's copies too
        return found
