"""Helpers shared by the tests: the registry as test cases (cases), what a reader sees in a PDF or a
DOCX (text), throw-away data folders (datadir, synthetic), the clerks' pages (web) and the tools
that CI installs (tools). Fixtures are in tests/conftest.py."""
