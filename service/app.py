"""The Flask application factory: the configuration, then what the whole app shares (the registry
and the render gate, the request log and the metrics), then the two blueprints."""

from __future__ import annotations

from flask import Flask, request
from flask import Response as FlaskResponse
from werkzeug.exceptions import BadRequest

from . import bodies, metrics, rendering, requestlog
from .api import create_blueprint as api_blueprint
from .config import load_config
from .errorlog import where
from .web import create_blueprint as web_blueprint
from .web.display import local_time
from .web.verify import create_blueprint as verify_blueprint


class Response(FlaskResponse):
    def set_data(self, value) -> None:
        # A lone surrogate (JSON may carry "\ud800") cannot be written as UTF-8: it is shown as "?",
        # where strict encoding would have turned a page or an error listing into a 500.
        super().set_data(value.encode("utf-8", "replace") if isinstance(value, str) else value)


class Nysan(Flask):
    response_class = Response

    def log_exception(self, exc_info) -> None:
        """An unexpected error, by type and place only: Flask's traceback would carry the exception's
        message, which may quote the data (a name, an IIN)."""
        self.logger.error(
            "unexpected error on %s %s: %s",
            metrics.method_label(request.method),
            request.url_rule.rule if request.url_rule is not None else "<unmatched>",
            where(exc_info[1]),
        )

    def body_limit(self, method: str, target: str) -> int:
        """The bytes a request's body may have, from its request line alone (asked by the serving
        worker, ``service.buffering``, before it reads the body)."""
        return bodies.target_limit(self, method, target)


def _malformed_bodies_are_bad_requests(app: Flask) -> None:
    """A body the server cannot read (a chunk size line such as ``0x10``) surfaces while the app reads
    it, as the server's own exception: answered 400 like any bad request, never 500."""
    try:
        from gunicorn.http.errors import ParseException
    except ImportError:  # served otherwise
        return

    @app.errorhandler(ParseException)
    def _unreadable(_err):
        return app.handle_http_exception(BadRequest())


def create_app(config: dict | None = None) -> Flask:
    settings = load_config(config)
    app = Nysan(__name__)
    app.config.update(settings)
    # Readable JSON: Kazakh and Russian as they are, keys in the documented order (code, message, errors).
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    _malformed_bodies_are_bad_requests(app)
    bodies.install_body_limits(app)
    rendering.install_rendering(app)
    requestlog.install_request_log(app)
    app.add_template_filter(local_time)  # the verification page too, with the web forms off
    app.register_blueprint(api_blueprint(app))
    app.register_blueprint(verify_blueprint())  # printed QR codes work with or without the web forms
    if app.config["WEB"]:
        app.register_blueprint(web_blueprint(app))
    if app.config["HTTPS"]:
        app.config["SESSION_COOKIE_SECURE"] = True  # the session holds the CSRF token
    return app
