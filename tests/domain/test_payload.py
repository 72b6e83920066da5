"""JSON payloads: canonical storage text, pretty display, and the message/code of errors."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sopwatch.domain.payload import (
    canonical_json,
    error_line,
    json_text,
    pretty,
    summarize_error,
)

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


def test_objects_with_other_key_order_and_spacing_store_the_same_text() -> None:
    assert json_text({"order_id": 8812, "a": 1}) == json_text(json.loads('{"a":1,"order_id":8812}'))
    assert json_text({"a": [1, 2]}) == '{"a":[1,2]}'


def test_strings_stay_as_they_are() -> None:
    assert json_text("plain text") == "plain text"
    assert json_text(None) is None
    assert json_text(3) == "3"


@given(JSON)
def test_canonical_text_round_trips(value: object) -> None:
    text = canonical_json(value)
    assert json.loads(text) == value  # 8812 == 8812.0, -0.0 == 0
    text.encode("utf-8")  # storable: a lone surrogate is escaped
    assert canonical_json(json.loads(text)) == text


def test_non_ascii_text_is_written_as_it_is() -> None:
    assert canonical_json({"answer": "日本語", "city": "Zürich"}) == (
        '{"answer":"日本語","city":"Zürich"}'
    )


def test_a_lone_surrogate_escapes_the_whole_text() -> None:
    assert canonical_json({"a": "\ud800", "b": "é"}) == '{"a":"\\ud800","b":"\\u00e9"}'


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({"order_id": 8812.0}, '{"order_id":8812}'),
        ([1.0, -0.0, 2.5, [3.0]], "[1,0,2.5,[3]]"),
        (2.0**53 - 1, "9007199254740991"),
        (2.0**53, "9007199254740992.0"),  # past 2**53 a float is not exactly its integer
        (1e16, "1e+16"),
        ({"price": "8812.0"}, '{"price":"8812.0"}'),  # a string stays as it is
    ],
)
def test_integral_floats_are_written_as_integers(value: object, text: str) -> None:
    assert canonical_json(value) == text


def test_non_finite_numbers_are_kept_as_python_writes_them() -> None:
    text = canonical_json({"a": float("nan"), "b": float("inf"), "c": -float("inf")})
    assert text == '{"a":NaN,"b":Infinity,"c":-Infinity}'
    assert json.loads(text)["b"] == float("inf")


def test_pretty_indents_objects_and_leaves_text() -> None:
    assert pretty('{"b":1,"a":{"c":"é"}}') == '{\n  "a": {\n    "c": "é"\n  },\n  "b": 1\n}'
    assert pretty("not json {") == "not json {"
    assert pretty("42") == "42"
    assert pretty(None) is None


def test_pretty_keeps_a_lone_surrogate_escaped() -> None:
    assert "\\ud800" in (pretty('{"a":"\\ud800"}') or "")


@pytest.mark.parametrize(
    ("error", "line"),
    [
        ('{"error":"invalid_grant"}', "invalid_grant"),
        (
            '{"error":"invalid_grant","error_description":"Token expired"}',
            "invalid_grant: Token expired",
        ),
        ('{"error":{"code":"rate_limited","message":"Slow down"}}', "rate_limited: Slow down"),
        ('{"message":"Not Found","status":404}', "404: Not Found"),
        (
            '{"type":"RateLimitError","message":"429 Too Many Requests"}',
            "RateLimitError: 429 Too Many Requests",
        ),
        ('{"detail":"boom"}', "boom"),
        (
            '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
            "overloaded_error: Overloaded",
        ),
        ('{"type":"error","message":"boom"}', "boom"),
        ('{"x":1}', '{"x":1}'),
        ("[1,2]", "[1,2]"),
        ("HTTP 401 Unauthorized", "HTTP 401 Unauthorized"),
        ("", None),
        (None, None),
    ],
)  # fmt: skip
def test_error_line(error: str | None, line: str | None) -> None:
    assert error_line(error) == line


def test_summary_of_a_parsed_object_and_its_code() -> None:
    summary = summarize_error(
        {"error": {"message": "quota exceeded", "type": "insufficient_quota"}}
    )
    assert summary is not None
    assert (summary.message, summary.code) == ("quota exceeded", "insufficient_quota")
