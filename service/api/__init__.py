"""The JSON API (/api/v1), its OpenAPI document, health checks and metrics.

    routes.py     the endpoints               batch.py    POST /api/v1/render/batch
    inputs.py     JSON body, query params     errors.py   the error envelope, Flask's own errors too
    auth.py       Bearer API keys             limits.py   rows per document, documents per batch
    openapi.py    /openapi.json (apispec)     schemas.py  the API's own JSON Schemas
    documents.py  the register: /api/v1/documents, /api/v1/audit
    cases.py      cases running the declared flows: /api/v1/cases (cases_spec.py: their OpenAPI)
    events.py     the change feed of documents and cases: /api/v1/events
    verify.py     public verification as JSON: /api/v1/verify/{token} (the page is the web's)

The registry, the render gate, the request log and the metrics are the app's (``service/app.py``).
"""

from __future__ import annotations

from flask import Blueprint, Flask

from . import auth, cases, documents, errors, events, routes, verify


def create_blueprint(app: Flask) -> Blueprint:
    bp = Blueprint("api", __name__)
    routes.install_routes(bp)
    documents.install_routes(bp)
    cases.install_routes(bp)
    events.install_routes(bp)
    verify.install_routes(bp)
    auth.install_auth(app, bp)
    errors.install_error_handlers(app, bp)
    return bp
