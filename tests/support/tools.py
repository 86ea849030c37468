"""Programs the tests run (poppler's pdftotext, curl, jq, Chromium). .ci/run installs them, so in CI
(CI set) a missing one fails the test; elsewhere the test is skipped with how to install it."""

from __future__ import annotations

import os
import shutil

import pytest


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def missing(problem: str) -> None:
    """Fail in CI, where .ci/run installs everything the tests need; skip elsewhere."""
    if in_ci():
        pytest.fail(f"must run in CI: {problem}")
    pytest.skip(problem)


def require(program: str, package: str) -> str:
    """The path of ``program``, or the test stops (failing in CI) naming the package to install."""
    path = shutil.which(program)
    if not path:
        missing(f"{program} is not installed (apt-get install {package})")
    return path
