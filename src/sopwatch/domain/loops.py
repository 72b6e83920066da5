"""How a job's tool calls repeat: the two loop patterns the ``tool_loop`` check reports.

Pure functions over one job's steps (in ``seq`` order), in the domain because both the
``tool_loop`` check (``monitor/checks/loops.py``) and the facts derived when a job is
written (``domain/facts.py``) use them. Rules and their sources are in
``monitor/checks/loops.py`` and docs/daily-check.md "Tool-call loops".

- **same call** (``same_call``): one tool called with the same ``arguments`` that returns
  the same outcome (its ``result`` text, or its ``error`` text when it failed) again and
  again. A call whose outcome changes is progress, not a loop: calls that keep returning
  the same successful result and then return one never seen before are polling that
  ended (a status moving from pending to done).
- **cycle** (``cycle``): two tools called in turn, A B A B …, whatever their arguments.
  An alternation in which one tool is polling that ended (as above, with the same
  arguments throughout) is a wait between polls: progress, neither a cycle nor a loop of
  the wait.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sopwatch.domain.enums import StepKind, StepStatus
from sopwatch.domain.job import Step

#: What a call returned: (status, result or error text, its full size when cut).
Outcome = tuple[StepStatus, str | None, int | None]


@dataclass(frozen=True, slots=True)
class Repeat:
    """One loop in a job's steps.

    ``pattern`` is ``same_call`` or ``cycle``; ``tools`` the tool (one) or the two tools
    in turn; ``arguments`` the repeated arguments (``same_call``; None for a cycle);
    ``outcome`` the repeated result or error text (``same_call``), ``failed`` True when
    it is an error; ``calls`` the indices
    (into the job's steps) of the repeated tool calls; ``rounds`` the number of A-B rounds
    of a cycle (0 for ``same_call``); ``longest_run`` the most repeats in a row, other
    tool calls breaking a run and model or gate steps not.
    """

    pattern: str
    tools: tuple[str, ...]
    arguments: str | None
    outcome: str | None
    calls: tuple[int, ...]
    rounds: int
    longest_run: int
    failed: bool = False

    @property
    def count(self) -> int:
        """How many tool calls the loop made."""
        return len(self.calls)


def outcome_of(step: Step) -> Outcome:
    """What a call returned: its error text when it failed, else its result text, with
    the full size when the text was cut (so two cut texts compare equal only when their
    kept parts and full sizes do)."""
    if step.status == StepStatus.ERROR:
        return (step.status, step.error, None)
    return (step.status, step.result, step.result_bytes)


def polling_ended(outcomes: Sequence[Outcome]) -> bool:
    """True when the calls' most frequent outcome is a successful result and the last
    call returned an outcome no earlier call had: the awaited state arrived."""
    if len(outcomes) < 2:
        return False
    repeated, _ = Counter(outcomes).most_common(1)[0]
    last = outcomes[-1]
    return repeated[0] == StepStatus.OK and last not in outcomes[:-1]


def job_loop(steps: Sequence[Step], min_repeats: int, cycle_rounds: int) -> Repeat | None:
    """The loop ``tool_loop`` reports for a job: of its same-call loop (≥ ``min_repeats``
    calls) and its cycle (≥ ``cycle_rounds`` rounds), the one with more calls (the
    same-call loop on a tie); None when neither.

    When the job's longest alternation of two tools (≥ 2 rounds) is polling that ended
    with a wait in between (``wait, get_status, wait, get_status(done)``), its calls are
    progress: neither a cycle nor a same-call loop of the wait."""
    tool = StepKind.TOOL
    tools: list[int] = []
    names: list[str] = []
    for i, step in enumerate(steps):
        if step.kind is tool:
            tools.append(i)
            names.append(step.name)
    if len(tools) < min_repeats and len(tools) < 2 * cycle_rounds:
        return None
    start, length = longest_alternation(names)
    rounds = length // 2
    stretch = tools[start : start + 2 * rounds]
    polling = rounds >= 2 and polls_between(steps, stretch)
    waits = set(stretch) if polling else set()
    calls = [i for i in tools if i not in waits]
    found = [same_call(steps, calls, min_repeats)]
    if not polling and rounds >= cycle_rounds:
        found.append(_cycle(steps, stretch))
    repeats = [repeat for repeat in found if repeat is not None]
    return max(repeats, key=lambda r: r.count) if repeats else None


def same_call(steps: Sequence[Step], calls: Sequence[int], minimum: int) -> Repeat | None:
    """The most repeated (tool, arguments, outcome) among the tool ``calls`` (indices
    into ``steps``) when it recurs ≥ ``minimum`` times and its (tool, arguments) calls are
    not polling that ended; ties go to the longer run, then to the pair called first."""
    groups: dict[tuple[str, str | None], list[int]] = {}
    for i in calls:
        step = steps[i]
        groups.setdefault((step.name, step.arguments), []).append(i)
    best: Repeat | None = None
    for (name, arguments), indices in groups.items():
        if len(indices) < minimum:
            continue
        outcomes = [outcome_of(steps[i]) for i in indices]
        if polling_ended(outcomes):
            continue
        repeated, count = Counter(outcomes).most_common(1)[0]
        if count < minimum:
            continue
        same = tuple(i for i, o in zip(indices, outcomes, strict=True) if o == repeated)
        found = Repeat(
            pattern="same_call",
            tools=(name,),
            arguments=arguments,
            outcome=repeated[1],
            calls=same,
            rounds=0,
            longest_run=_longest_run(steps, set(same)),
            failed=repeated[0] == StepStatus.ERROR,
        )
        if best is None or (found.count, found.longest_run) > (best.count, best.longest_run):
            best = found
    return best


def polls_between(steps: Sequence[Step], stretch: Sequence[int]) -> bool:
    """True when one of the two tools of an alternating ``stretch`` is called with the
    same arguments throughout and is polling that ended (``polling_ended``)."""
    for name in {steps[i].name for i in stretch}:
        own = [steps[i] for i in stretch if steps[i].name == name]
        same_arguments = len({step.arguments for step in own}) == 1
        if same_arguments and polling_ended([outcome_of(step) for step in own]):
            return True
    return False


def _cycle(steps: Sequence[Step], stretch: Sequence[int]) -> Repeat:
    """The cycle made by an alternating ``stretch`` of tool calls (indices, even count)."""
    return Repeat(
        pattern="cycle",
        tools=(steps[stretch[0]].name, steps[stretch[1]].name),
        arguments=None,
        outcome=None,
        calls=tuple(stretch),
        rounds=len(stretch) // 2,
        longest_run=len(stretch) // 2,
    )


def longest_alternation(names: Sequence[str]) -> tuple[int, int]:
    """(start, length) of the longest stretch of ``names`` alternating between two
    different names (``a b a b a``: length 5); (0, 0) for fewer than two names."""
    best_start, best_length = 0, 0
    start = 0
    for j in range(1, len(names)):
        if names[j] == names[j - 1]:
            start = j
        elif j - start >= 2 and names[j] != names[j - 2]:
            start = j - 1
        if j - start + 1 > best_length:  # a stretch of ≥ 2 starts with two names
            best_start, best_length = start, j - start + 1
    return best_start, best_length


def _longest_run(steps: Sequence[Step], calls: set[int]) -> int:
    """The most ``calls`` in a row among the job's tool calls (other step kinds skipped)."""
    longest = run = 0
    for i, step in enumerate(steps):
        if step.kind != StepKind.TOOL:
            continue
        run = run + 1 if i in calls else 0
        longest = max(longest, run)
    return longest


def issuing_model_steps(steps: Sequence[Step], calls: Sequence[int]) -> list[int]:
    """Indices of the model steps that issued ``calls``: for each call, the nearest
    model step before it (one model step issuing several calls counts once)."""
    issuers: set[int] = set()
    last_model: int | None = None
    wanted = set(calls)
    for i, step in enumerate(steps):
        if step.kind == StepKind.MODEL:
            last_model = i
        elif i in wanted and last_model is not None:
            issuers.add(last_model)
    return sorted(issuers)
