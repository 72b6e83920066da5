"""Reading error texts: authorization failures and service outages."""

from __future__ import annotations

import pytest

from sopwatch.domain.connection import is_auth_error, is_unavailable_error


@pytest.mark.parametrize(
    "text",
    [
        "HTTP 401 Unauthorized: token expired", "403 Forbidden", "Session expired",
        "Invalid API key provided", "jwt expired", "ExpiredToken: The provided token has expired",
        "invalid_grant", "status code 401", "Error code: 403 - permission denied",
    ],
)  # fmt: skip
def test_auth_failures(text: str) -> None:
    assert is_auth_error(text)


@pytest.mark.parametrize(
    "text",
    [None, "", "Error: vendor 403 not found", "order has 401 items",
     "Rate limit exceeded for access token", "KeyError: 'total'", "HTTP 422 Unprocessable"],
)  # fmt: skip
def test_not_auth_failures(text: str | None) -> None:
    assert not is_auth_error(text)


@pytest.mark.parametrize(
    "text",
    ["HTTP 503 from crm", "Request timed out", "ReadTimeout: 30s", "ConnectionResetError",
     "429 Too Many Requests", "connection refused", "ETIMEDOUT"],
)  # fmt: skip
def test_outages(text: str) -> None:
    assert is_unavailable_error(text)


@pytest.mark.parametrize("text", [None, "Error: vendor 403 not found", "KeyError: 'total'"])
def test_not_outages(text: str | None) -> None:
    assert not is_unavailable_error(text)
