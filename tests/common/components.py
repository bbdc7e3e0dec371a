"""Real components for the tests: a missing one fails under CI=true and skips elsewhere."""
from __future__ import annotations

import os

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def missing(component: str, reason: str):
    """Stop the test: a failure under CI (never a silent skip), a skip on a developer machine."""
    message = f"{component} is not available: {reason}"
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)
