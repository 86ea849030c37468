"""The Flask application factory: the configuration, then what the whole app shares (the registry
and the render gate, the request log and the metrics), then the two blueprints."""
from __future__ import annotations

from flask import Flask

from . import rendering, requestlog
from .api import create_blueprint as api_blueprint
from .config import load_config
from .web import create_blueprint as web_blueprint


def create_app(config: dict | None = None) -> Flask:
    settings = load_config(config)
    app = Flask(__name__)
    app.config.update(settings)
    # Readable JSON: Kazakh and Russian as they are, keys in the documented order (code, message, errors).
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    rendering.install(app)
    requestlog.install(app)
    app.register_blueprint(api_blueprint(app))
    if app.config["WEB"]:
        app.register_blueprint(web_blueprint(app))
    if app.config["HTTPS"]:
        app.config["SESSION_COOKIE_SECURE"] = True   # the session holds the CSRF token
    return app
