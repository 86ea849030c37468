"""The JSON API, /api/v1 (placeholder until the service issue lands)."""
from flask import Blueprint


def create_blueprint(app) -> Blueprint:
    return Blueprint("api", __name__)
