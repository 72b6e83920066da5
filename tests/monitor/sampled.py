"""A ``Ctx`` whose baseline jobs have steps (``CheckContext.baseline_steps``), and step specs
with the figures the per-model and per-tool checks read (durations in ms, costs in USD).

The spec dicts work for window jobs (``Ctx.job(steps=[...])`` builds ``Step``s) and for
baseline jobs (``SampledCtx.baseline_with_steps`` builds ``StepFigures``, the figures the
loader reads for its baseline sample).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from sopwatch.domain.enums import StepKind, StepStatus
from sopwatch.domain.job import usd_to_micros
from sopwatch.monitor.context import CheckContext, StepFigures

from .builders import Ctx


def call(
    model: str = "gpt-4o",
    *,
    ms: int | None = 800,
    cost: float | None = 0.004,
    tokens_in: int | None = 1200,
    tokens_out: int | None = 150,
    finish_reason: str | None = "tool_calls",
    max_tokens: int | None = None,
    name: str | None = None,
) -> dict[str, Any]:
    """A model step spec (``name`` defaults to the model)."""
    return {
        "kind": StepKind.MODEL,
        "name": name or model,
        "status": StepStatus.OK,
        "model": model,
        "duration_ms": ms,
        "cost_micros": usd_to_micros(cost),
        "input_tokens": tokens_in,
        "output_tokens": tokens_out,
        "finish_reason": finish_reason,
        "max_tokens": max_tokens,
    }


def use(name: str, *, ms: int | None = 500) -> dict[str, Any]:
    """A tool step spec."""
    return {"kind": StepKind.TOOL, "name": name, "status": StepStatus.OK, "duration_ms": ms}


@dataclass
class SampledCtx(Ctx):
    """``Ctx`` plus the baseline sample's steps."""

    baseline_steps: dict[int, tuple[StepFigures, ...]] = field(default_factory=dict)

    def baseline_with_steps(self, count: int, steps: list[dict[str, Any]], **fields: Any) -> None:
        """``count`` baseline jobs (``Ctx.baseline``), each with ``steps`` in the sample."""
        before = len(self.baseline_jobs)
        self.baseline(count, **fields)
        for job in self.baseline_jobs[before:]:
            self.baseline_steps[job.id] = tuple(
                StepFigures(job_id=job.id, **{k: v for k, v in spec.items() if k != "status"})
                for spec in steps
            )

    def build(self) -> CheckContext:
        """The context, with ``baseline_steps``."""
        return dataclasses.replace(super().build(), baseline_steps=self.baseline_steps)
