from __future__ import annotations

import sys
from pathlib import Path

import pytest

# Test helper modules (cases, textutil, synthetic) live beside the tests.
sys.path.insert(0, str(Path(__file__).resolve().parent))


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite the golden text snapshots")


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


