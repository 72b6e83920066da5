"""sopwatch: run AI-agent assignments as durable jobs and keep them healthy in production.

The package is layered (see docs/architecture.md): ``domain`` (pure types and rules) ← ``store``
(SQLAlchemy tables and queries) ← ``monitor`` / ``ingest`` / ``runtime`` / ``notify``
← ``cli`` / ``api`` / ``web``. Imports point down only.
"""

__version__ = "0.1.0"
