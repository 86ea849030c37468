"""Nysan's HTTP service: the JSON render API (``service.api``) and the clerks' web forms (``service.web``)."""
from .app import create_app

__all__ = ["create_app"]
