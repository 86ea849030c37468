"""Authoring: the legal staff's tools (check, diff, new-version, repeal, preview) and their commands."""
