"""The Flask application factory."""
from __future__ import annotations

from flask import Flask

import forms

from .config import load_config


def create_app(config: dict | None = None) -> Flask:
    settings = load_config(config)
    app = Flask(__name__)
    app.config.update(settings)
    # Readable JSON: Kazakh and Russian as they are, keys in the documented order (code, message, errors).
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions["nysan.registry"] = (forms.Registry(settings["DATA_DIR"]) if settings["DATA_DIR"]
                                        else forms.default_registry())

    from .api import create_blueprint as api_blueprint
    from .web import create_blueprint as web_blueprint

    app.register_blueprint(api_blueprint(app))
    app.register_blueprint(web_blueprint(app))
    return app


def registry(app: Flask) -> forms.Registry:
    return app.extensions["nysan.registry"]
