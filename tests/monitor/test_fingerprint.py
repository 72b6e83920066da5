"""Error fingerprints: the same failure with different values groups together."""

from __future__ import annotations

import pytest

from sopwatch.domain.fingerprint import MAX_FINGERPRINT_CHARS, fingerprint, normalise_step_name

PAGE_DOWN = "TypeError: PageDownTool.forward() got an unexpected keyword argument {}"


def test_page_down_variants_share_one_fingerprint() -> None:
    variants = ["''", "'page_down'", "'arguments'", "'query'"]
    prints = {fingerprint(PAGE_DOWN.format(v)) for v in variants}
    assert prints == {PAGE_DOWN.format("<str>")}


def test_smolagents_wrapper_variants_share_one_fingerprint() -> None:
    texts = [
        "Error when executing tool page_down with arguments {'': {}}: "
        + PAGE_DOWN.format("''")
        + "\nYou should only use this tool with a correct input.",
        "Error when executing tool page_down with arguments {'page_down': ''}: "
        + PAGE_DOWN.format("'page_down'"),
    ]
    assert len({fingerprint(t) for t in texts}) == 1
    assert "arguments <obj>:" in fingerprint(texts[0])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('KeyError: "customer_42"', "KeyError: <str>"),
        ("timeout after 30.5 s (attempt 3)", "timeout after <num> s (attempt <num>)"),
        ("took 100ms, limit 5MB, 3rd try", "took <num>ms, limit <num>MB, <num>rd try"),
        ("model gpt4 v2 x86_64", "model gpt4 v2 x86_64"),
        (
            "401 Unauthorized: token expired for user 123",
            "401 Unauthorized: token expired for user <num>",
        ),
        ("HTTP 503 after 2 tries", "HTTP 503 after <num> tries"),
        ("Error code: 400 - bad request", "Error code: 400 - bad request"),
        ("sent 404 items", "sent <num> items"),
        (
            "GET https://api.example.com/v1/users/17?x=1 returned 503",
            "GET <url> returned <num>",
        ),
        ("record 1b4e28ba-2fa1-11d2-883f-0016d3cca427 missing", "record <uuid> missing"),
        ("object at 0x7f3a2b1c not found; id 9f86d081884c", "object at <hex> not found; id <hex>"),
        ("cannot open /var/data/in/file.csv", "cannot open <path>"),
        ("recognized as ['.py', '.txt']", "recognized as <list>"),
        ("  too   many\tspaces  ", "too many spaces"),
        ("don't retry the user's request", "don't retry the user's request"),
    ],
)
def test_values_become_placeholders(text: str, expected: str) -> None:
    assert fingerprint(text) == expected


def test_keeps_the_first_line_and_caps_length() -> None:
    assert fingerprint("ValueError: bad\nsecond line 123") == "ValueError: bad"
    assert len(fingerprint("x" * 5_000)) == MAX_FINGERPRINT_CHARS


def test_traceback_keeps_the_exception_line() -> None:
    text = 'Traceback (most recent call last):\n  File "a.py", line 3\nValueError: bad 7\n'
    assert fingerprint(text) == "ValueError: bad <num>"


def test_empty_and_none() -> None:
    assert fingerprint(None) == ""
    assert fingerprint("") == ""
    assert fingerprint("\n \n") == ""


def test_different_errors_stay_apart() -> None:
    assert fingerprint("KeyError: 'a'") != fingerprint("ValueError: 'a'")
    assert fingerprint("HTTP 401 Unauthorized") != fingerprint("HTTP 500 Internal Server Error")


def test_step_names_lose_free_standing_numbers_only() -> None:
    assert normalise_step_name("Step 7") == "Step N"
    assert normalise_step_name("search_v2") == "search_v2"


def test_identifiers_mixing_letters_and_digits_are_values() -> None:
    a = fingerprint("Error: not enough seats on flight HAT290")
    b = fingerprint("Error: not enough seats on flight HAT039")
    assert a == b == "Error: not enough seats on flight <id>"
    assert fingerprint("Error: certificate_7504069 not found") == fingerprint(
        "Error: certificate_1234 not found"
    )
    assert fingerprint("Timed out after 30s") == "Timed out after <num>s"
    assert fingerprint("HTTP 503 Service Unavailable") == "HTTP 503 Service Unavailable"


def test_json_errors_are_fingerprinted_by_code_and_message() -> None:
    grant = fingerprint('{"error":"invalid_grant"}')
    limited = fingerprint('{"error":{"code":"rate_limited","message":"Retry in 30s"}}')
    assert grant == "invalid_grant"
    assert limited == "rate_limited: Retry in <num>s"
    assert "<obj>" not in grant + limited
    expired = '{"error":"invalid_grant","error_description":"Token 42 expired"}'
    assert fingerprint(expired) == "invalid_grant: Token <num> expired"
    assert fingerprint('{"foo":1}') == "<obj>"  # an object naming no message stays one value


def test_json_error_with_a_traceback_message_keeps_the_exception_line() -> None:
    text = '{"code":"E1","message":"Traceback (most recent call last):\\n  x\\nValueError: 7"}'
    assert fingerprint(text) == "E1: ValueError: <num>"


@pytest.mark.parametrize(
    "text",
    [
        "model claude-3-haiku-20240307 failed",
        "gpt-4o-2024-08-06 not found",
        "The model `gpt-4-0314` has been deprecated",
        "model 'gpt-4o-mini' does not exist",
        "models/gemini-1.5-pro-002 is not found for API version v1beta",
        "anthropic.claude-3-5-sonnet-20241022-v2:0 is not available",
        "Model llama3.1:8b is overloaded",
        "openai/gpt-4o-mini failed",
    ],
)
def test_model_names_stay_whole(text: str) -> None:
    assert fingerprint(text) == text


def test_different_models_stay_apart_and_other_values_still_go() -> None:
    a = fingerprint("The model `gpt-4-0314` does not exist (request 123)")
    b = fingerprint("The model `gpt-4-0613` does not exist (request 456)")
    assert a == "The model `gpt-4-0314` does not exist (request <num>)"
    assert a != b
    plain = fingerprint("seats on flight HAT290 for user 'bob'")
    assert plain == "seats on flight <id> for user <str>"


def test_json_error_codes_are_kept_verbatim() -> None:
    google = '{"error":{"code":429,"message":"Resource has been exhausted","status":"RESOURCE_EXHAUSTED"}}'  # noqa: E501
    assert fingerprint(google) == "429: Resource has been exhausted"
    assert fingerprint('{"code":"E1001","message":"bad row 7"}') == "E1001: bad row <num>"
    assert fingerprint('{"code":"E1002","message":"bad row 7"}') == "E1002: bad row <num>"
    anthropic = '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'
    assert fingerprint(anthropic) == "overloaded_error: Overloaded"
    assert fingerprint('{"error":"invalid_grant"}') != fingerprint(
        '{"error":{"code":"rate_limited","message":"invalid_grant"}}'
    )
