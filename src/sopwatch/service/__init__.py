"""The service layer: one function per user action, shared by every face (CLI, API, web).

Each function takes the open store (``store.open_store``) or the settings, and plain
arguments (``datetime``, ``timedelta``, names), and returns domain records or plain
dataclasses. Transactions begin and end here. Errors are ``sopwatch.domain.errors``:
``InvalidInput`` (names the field and the problem) and ``NotFound`` (with suggestions),
which a face shows as one line. Faces parse and render; they hold no SQL and no judgement.
"""
