"""Which tools only read: the name rule and the assignment's own list."""

from __future__ import annotations

import pytest

from sopwatch.domain.tools import is_read_tool, name_tokens, reads_by_name


@pytest.mark.parametrize(
    ("name", "tokens"),
    [
        ("get_order", ["get", "order"]),
        ("crm.lookupOrder", ["crm", "lookup", "order"]),
        ("getHTTPStatus", ["get", "http", "status"]),
        ("PageDownTool", ["page", "down", "tool"]),
        ("search-web v2", ["search", "web", "v", "2"]),
        ("files/read:text", ["files", "read", "text"]),
        ("", []),
    ],
)
def test_name_tokens_split_on_separators_and_camel_case(name: str, tokens: list[str]) -> None:
    assert name_tokens(name) == tokens


@pytest.mark.parametrize(
    "name",
    [
        "get_order",
        "list_invoices",
        "search_direct_flight",
        "order_status",
        "refund_status",
        "customer_lookup",
        "crm.lookupOrder",
        "find_user_id_by_email",
        "describeInstances",
        "FinderTool",
        "SearchInformationTool",
        "calculate",
        "think",
        "FinalAnswerTool",
        "check_availability",
        "fetch_page",
    ],
)
def test_names_that_read(name: str) -> None:
    assert reads_by_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "send_report",
        "charge_card",
        "update_status",  # a write verb ahead of the read word
        "send_status_report",
        "create_search_index",
        "cancel_reservation",
        "book_reservation",
        "transfer_to_human_agents",
        "file_invoice",
        "PageDownTool",
        "getweather",  # no separator, no camelCase: one unknown token
        "",
    ],
)
def test_names_that_write(name: str) -> None:
    assert not reads_by_name(name)


def test_the_assignment_marks_reads_by_exact_name() -> None:
    assert is_read_tool("PageDownTool", ("PageDownTool",))
    assert not is_read_tool("PageDownTool", ("pagedowntool",))
    assert is_read_tool("get_order", ())  # the name rule still applies
