"""Notifications through apprise and signed outbound webhooks. Not built yet (later issues)."""
