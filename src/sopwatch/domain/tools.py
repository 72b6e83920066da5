"""Tools: which tool calls only read, so that calling them again changes nothing.

A tool call that writes (sends a report, charges a card, books a seat) has an effect in
the world each time it succeeds; one that only reads (looks a record up, searches,
computes) does not. The duplicate side-effect check counts repeated *writes* only, so it
needs to tell them apart from the tool's name, and from what the operator says
(``Assignment.read_tools``, set with ``sopwatch assignments set A --read-tools a,b``).

The name rule (``reads_by_name``), our choice, since agents name tools by what they do:

1. The name is cut into lowercase tokens at ``_``, ``-``, ``.``, ``/``, ``:``, blanks and
   camelCase boundaries (``getHTTPStatus`` → ``get http status``, ``crm.lookupOrder`` →
   ``crm lookup order``, ``PageDownTool`` → ``page down tool``).
2. The tool reads when one of its tokens is a read word (``READ_WORDS``: get, list,
   search, read, describe, fetch, lookup, query, find, check, status, …) and no token
   before it is a write verb (``WRITE_VERBS``: send, create, update, cancel, …). So
   ``get_order``, ``order_status`` and ``crm.lookup_order`` read, while
   ``update_status``, ``send_status_report`` and ``create_search_index`` write: a write
   verb ahead of the read word names what the tool does to it.

Anything else counts as a write, so an unknown tool is watched rather than excused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Words that name a tool which only reads or computes: lookups and searches, status
#: checks, browsing (``visit``, ``scroll``), inspection, and the agent's own bookkeeping
#: (``think``, ``calculate``, ``final`` as in ``final_answer``), none of which changes
#: anything outside the run.
READ_WORDS = frozenset(
    {
        "get", "list", "search", "read", "describe", "fetch", "lookup", "query", "find",
        "check", "status", "view", "show", "retrieve", "count", "browse", "poll", "inspect",
        "verify", "validate", "preview", "calculate", "compute", "estimate", "think",
        "visit", "navigate", "scroll", "info", "details", "history", "final", "exists",
        "finder", "reader", "searcher", "viewer", "inspector", "fetcher", "lookups",
        "gets", "lists", "searches", "reads", "describes", "fetches", "queries", "finds",
        "checks",
    }
)  # fmt: skip

#: Verbs that name a write; one ahead of a read word makes the tool a write
#: (``update_status``, ``send_status_report``). Only verbs that rarely serve as nouns at
#: the head of a name: ``refund_status`` and ``order_status`` read the status of a refund
#: or an order, so ``refund`` and ``order`` are not listed.
WRITE_VERBS = frozenset(
    {
        "send", "create", "update", "delete", "remove", "set", "put", "patch", "write",
        "add", "insert", "upsert", "pay", "cancel", "submit", "notify", "publish", "upload",
        "approve", "reject", "close", "assign", "move", "merge", "execute", "apply",
        "register", "reset", "save", "modify", "edit", "grant", "revoke", "mark", "toggle",
        "enable", "disable", "invoke", "reply", "purchase",
    }
)  # fmt: skip

_SEPARATORS = re.compile(r"[_\-./:\s]+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def name_tokens(name: str) -> list[str]:
    """The lowercase tokens of a tool name (rule 1 of the module docstring):
    ``"crm.lookupOrder_v2"`` → ``["crm", "lookup", "order", "v", "2"]``."""
    tokens: list[str] = []
    for part in _SEPARATORS.split(name):
        tokens.extend(word.lower() for word in _CAMEL.findall(part))
    return tokens


def reads_by_name(name: str) -> bool:
    """True when the tool's name reads as a read (rule 2 of the module docstring)."""
    for token in name_tokens(name):
        if token in WRITE_VERBS:
            return False
        if token in READ_WORDS:
            return True
    return False


def is_read_tool(name: str, read_tools: Iterable[str] = ()) -> bool:
    """True when tool ``name`` only reads: the operator listed it in the assignment's
    ``read_tools`` (exact name), or its name reads as a read (``reads_by_name``)."""
    return name in read_tools or reads_by_name(name)
