"""Connections: authorized accounts on external services that tools call through."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sopwatch.domain.enums import ConnectionStatus


@dataclass(frozen=True, kw_only=True, slots=True)
class Connection:
    """An authorized account on an external service; name unique within the team."""

    id: int
    team_id: int
    name: str
    status: ConnectionStatus
    created_at: datetime
    provider: str | None = None
    last_error: str | None = None


# What an authorization failure reads like: an HTTP 401/403 in context, or words that
# only an auth failure uses. Bare numbers ("order has 401 items", "vendor 403 not found")
# and "access token" alone ("rate limit exceeded for access token") do not count.
# Source: seed "check whether the Connection is still authorized"; platform-concepts §8
# "watch for authentication errors in Job logs".
_AUTH_ERROR = re.compile(
    r"(?:\b(?:http|status|code|error)\W{0,3}40[13]\b|\b40[13]\W{0,3}(?:unauthori[sz]ed|forbidden)"
    r"|\bunauthori[sz]ed\b|\bforbidden\b|\binvalid[_ ]grant\b|\binvalid[_ ]token\b"
    r"|\b(?:access |refresh |auth |oauth |jwt |session |api )?tokens? "
    r"(?:has |is )?(?:expired|revoked)\b"
    r"|\bexpired ?token\b|\b(?:jwt|session|credentials?) (?:has |have |is )?expired\b"
    r"|\binvalid (?:api[_ ]key|credentials?)\b|\bnot authori[sz]ed\b|\bpermission denied\b"
    r"|\baccess denied\b|\bauthentication (?:failed|failure|required|error)\b"
    r"|\bre-?authori[sz]e\b|\brevoked\b)",
    re.IGNORECASE,
)
# What an outage of the service behind a connection reads like (seed: "the external
# service may be experiencing issues"): 5xx, 429, timeouts, refused or reset connections.
_UNAVAILABLE = re.compile(
    r"(?:\b(?:http|status|code|error)\W{0,3}(?:5\d\d|429)\b|\b(?:5\d\d|429) [A-Z][a-z]"
    r"|timed? ?out\b|\bconnection ?(?:refused|reset|aborted|error)"
    r"|\bservice unavailable\b|\bbad gateway\b|\btoo many requests\b|\brate limit"
    r"|\bECONNRESET\b|\bETIMEDOUT\b|\bECONNREFUSED\b|\bsocket hang up\b)",
    re.IGNORECASE,
)


def is_auth_error(error: str | None) -> bool:
    """True when an error text reads as an authorization failure (401/403, expired token…)."""
    return bool(error) and _AUTH_ERROR.search(error or "") is not None


def is_unavailable_error(error: str | None) -> bool:
    """True when an error text reads as the service being down or overloaded (5xx, 429,
    timeouts, refused or reset connections)."""
    return bool(error) and _UNAVAILABLE.search(error or "") is not None
