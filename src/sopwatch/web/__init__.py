"""Server-rendered pages (Jinja2 + htmx). Not built yet (later issues)."""
