"""The clerks' web forms (placeholder until the web forms issue lands)."""
from flask import Blueprint


def create_blueprint(app) -> Blueprint:
    return Blueprint("web", __name__)
