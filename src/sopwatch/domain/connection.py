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


# Words that mark an authorization failure in an error text (HTTP 401/403, OAuth errors,
# expired or revoked credentials). Source: seed "Connection error ... check whether the
# Connection is still authorized"; platform-concepts §8 "watch for authentication errors".
_AUTH_ERROR = re.compile(
    r"\b(401|403|unauthori[sz]ed|forbidden|invalid[_ ]grant|invalid[_ ]token|"
    r"token (has )?expired|expired token|access token|credentials?|not authori[sz]ed|"
    r"permission denied|authentication|re-?authori[sz]e|revoked)\b",
    re.IGNORECASE,
)


def is_auth_error(error: str | None) -> bool:
    """True when an error text reads as an authorization failure (401/403, expired token…)."""
    return bool(error) and _AUTH_ERROR.search(error or "") is not None
