"""Unit tests run rules as plain functions (or a flow's `.fn()`): none may start a Prefect
server. Without this, a call that needs the API silently starts a temporary one (~15 s)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prefect.settings import PREFECT_SERVER_EPHEMERAL_ENABLED, temporary_settings


@pytest.fixture(autouse=True)
def no_temporary_prefect_server() -> Iterator[None]:
    """A unit test that reaches for the Prefect API fails at once ("No Prefect API URL
    provided"): it belongs in tests/flows, under the session's test harness."""
    with temporary_settings({PREFECT_SERVER_EPHEMERAL_ENABLED: False}):
        yield
