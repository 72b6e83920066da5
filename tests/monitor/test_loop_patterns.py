"""The loop patterns' building blocks: the longest two-tool alternation, and who issued
a call."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sopwatch.domain.enums import StepKind, StepStatus
from sopwatch.domain.job import Step
from sopwatch.domain.loops import issuing_model_steps, longest_alternation


def _alternates(names: list[str]) -> bool:
    return len(set(names)) == 2 and all(names[i] == names[i % 2] for i in range(len(names)))


@given(st.lists(st.sampled_from("abc"), max_size=30))
def test_longest_alternation_is_the_longest_stretch_of_two_names_in_turn(names: list[str]) -> None:
    start, length = longest_alternation(names)
    longest = max(
        (j - i for i in range(len(names)) for j in range(i + 2, len(names) + 1)
         if _alternates(names[i:j])),
        default=0,
    )  # fmt: skip
    assert length == longest or (longest == 0 and length <= 1)
    if length >= 2:
        assert _alternates(names[start : start + length])


def _step(seq: int, kind: StepKind) -> Step:
    return Step(job_id=1, seq=seq, kind=kind, name="x", status=StepStatus.OK)


def test_each_call_is_issued_by_the_nearest_model_step_before_it() -> None:
    kinds = [StepKind.TOOL, StepKind.MODEL, StepKind.TOOL, StepKind.TOOL, StepKind.GATE,
             StepKind.MODEL, StepKind.MODEL, StepKind.TOOL]  # fmt: skip
    steps = [_step(i + 1, kind) for i, kind in enumerate(kinds)]
    assert issuing_model_steps(steps, [0, 2, 3, 7]) == [1, 6]
