"""Validation: a payload checked against a form version's spec, errors by field path; the JSON Schema of the data."""
