"""SQLAlchemy 2 Core tables and queries, one module per aggregate; Alembic migrations."""
