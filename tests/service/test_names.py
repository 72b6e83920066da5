"""Suggestions for a name that does not exist."""

from __future__ import annotations

from sopwatch.service.errors import UnknownName, close_names, did_you_mean

NAMES = ["airline-claude", "airline-gpt54", "airline-support", "retail-toolorchestra"]


def test_close_names_best_first_at_most_three() -> None:
    assert close_names("airline-suport", NAMES) == ["airline-support"]
    assert len(close_names("airline", NAMES)) == 3
    assert close_names("retail", NAMES) == ["retail-toolorchestra"]
    assert close_names("zzz", NAMES) == []


def test_other_case_comes_first() -> None:
    assert close_names("Airline-Support", NAMES)[0] == "airline-support"


def test_did_you_mean_lists_like_a_sentence() -> None:
    assert did_you_mean(["a"]) == "did you mean 'a'?"
    assert did_you_mean(["a", "b"]) == "did you mean 'a' or 'b'?"
    assert did_you_mean(["a", "b", "c"]) == "did you mean 'a', 'b' or 'c'?"


def test_unknown_name_is_one_line_naming_the_field() -> None:
    error = UnknownName("assignment", "x", "did you mean 'y'?")
    assert str(error) == "assignment: 'x' not found; did you mean 'y'?"
    assert (error.what, error.key, error.hint) == ("assignment", "x", "did you mean 'y'?")
