"""Build ``CheckContext`` objects from hand-made domain records, for the check tests.

``Ctx`` collects window jobs (with steps, human requests and cases) and baseline jobs,
then ``build()`` makes the context. Times are hours after the window start (UTC); costs
are given in USD and stored in micro-dollars like the store does.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sopwatch.domain.assignment import Assignment
from sopwatch.domain.case import Case
from sopwatch.domain.enums import (
    CaseStatus,
    HumanRequestStatus,
    HumanRequestType,
    JobStatus,
    Source,
    Stage,
    StepKind,
    StepStatus,
    Verdict,
)
from sopwatch.domain.job import BaselineJob, HumanRequest, Job, Step, usd_to_micros
from sopwatch.monitor.context import Baseline, CheckContext, CheckSettings, Window

WINDOW_START = datetime(2025, 11, 26, tzinfo=UTC)
WINDOW_END = WINDOW_START + timedelta(days=1)
BASELINE_START = WINDOW_START - timedelta(days=7)


def tool(
    name: str,
    arguments: str | None = None,
    *,
    error: str | None = None,
    connection: str | None = None,
    cost: float | None = None,
) -> dict[str, Any]:
    """A tool step spec (status error when ``error`` is given; ``cost`` in USD)."""
    return {
        "kind": StepKind.TOOL,
        "name": name,
        "arguments": arguments,
        "error": error,
        "status": StepStatus.ERROR if error else StepStatus.OK,
        "connection": connection,
        "cost_micros": usd_to_micros(cost),
    }


def model(cost: float | None = None, *, error: str | None = None) -> dict[str, Any]:
    """A model step spec."""
    return {
        "kind": StepKind.MODEL,
        "name": "llm",
        "error": error,
        "status": StepStatus.ERROR if error else StepStatus.OK,
        "cost_micros": usd_to_micros(cost),
    }


def agent(name: str, error: str) -> dict[str, Any]:
    """A failed agent-logic step spec."""
    return {"kind": StepKind.AGENT, "name": name, "error": error, "status": StepStatus.ERROR}


def gate(name: str) -> dict[str, Any]:
    """A gate step spec."""
    return {"kind": StepKind.GATE, "name": name, "status": StepStatus.OK}


@dataclass
class Ctx:
    """A context under construction; ``build()`` returns the ``CheckContext``."""

    settings: CheckSettings = field(default_factory=lambda: CheckSettings(seed=7))
    expected_runs_per_day: float | None = None
    jobs: list[Job] = field(default_factory=list)
    steps: dict[int, tuple[Step, ...]] = field(default_factory=dict)
    requests: list[HumanRequest] = field(default_factory=list)
    request_jobs: dict[int, Job] = field(default_factory=dict)
    cases: dict[int, Case] = field(default_factory=dict)
    baseline_jobs: list[Job] = field(default_factory=list)
    baseline_cases: list[Case] = field(default_factory=list)
    baseline_requests: int = 0
    _next: int = 0

    def _id(self) -> int:
        self._next += 1
        return self._next

    def job(
        self,
        status: JobStatus = JobStatus.COMPLETED,
        *,
        at: float = 1.0,
        steps: list[dict[str, Any]] | tuple[dict[str, Any], ...] = (),
        cost: float | None = None,
        source: Source = Source.SCHEDULED,
        case: CaseStatus | None = None,
        **fields: Any,
    ) -> Job:
        """Add a window job ``at`` hours after the window start, with its steps and case."""
        job_id = self._id()
        case_id = None
        if case is not None:
            case_id = self._id()
            self.cases[case_id] = _case(case_id, case, WINDOW_START)
        job = Job(
            id=job_id,
            team_id=1,
            assignment_id=1,
            status=status,
            source=source,
            created_at=WINDOW_START + timedelta(hours=at),
            cost_micros=usd_to_micros(cost),
            case_id=case_id,
            **fields,
        )
        self.jobs.append(job)
        self.steps[job_id] = tuple(
            Step(job_id=job_id, seq=i, **spec) for i, spec in enumerate(steps, start=1)
        )
        return job

    def request(
        self,
        job: Job,
        *,
        age_hours: float = 1.0,
        status: HumanRequestStatus = HumanRequestStatus.PENDING,
        gate: str | None = None,
    ) -> HumanRequest:
        """Add a human request of ``job`` created ``age_hours`` before the window end."""
        request = HumanRequest(
            id=self._id(),
            job_id=job.id,
            type=HumanRequestType.APPROVAL,
            status=status,
            created_at=WINDOW_END - timedelta(hours=age_hours),
            gate=gate,
        )
        self.requests.append(request)
        self.request_jobs[job.id] = job
        return request

    def old_job(self, status: JobStatus = JobStatus.NEEDS_INPUT, *, days_ago: float = 3) -> Job:
        """A job from before the window (not a window job), e.g. one still waiting."""
        return Job(
            id=self._id(),
            team_id=1,
            assignment_id=1,
            status=status,
            source=Source.SCHEDULED,
            created_at=WINDOW_START - timedelta(days=days_ago),
        )

    def baseline(
        self,
        count: int,
        status: JobStatus = JobStatus.COMPLETED,
        *,
        cost: float | None = None,
        source: Source = Source.SCHEDULED,
        case: CaseStatus | None = None,
        **fields: Any,
    ) -> None:
        """Add ``count`` baseline jobs spread over the 7 baseline days (``fields`` go to Job)."""
        for i in range(count):
            job = Job(
                id=self._id(),
                team_id=1,
                assignment_id=1,
                status=status,
                source=source,
                created_at=BASELINE_START + timedelta(days=7) * (i / max(count, 1)),
                cost_micros=usd_to_micros(cost),
                **fields,
            )
            self.baseline_jobs.append(job)
            if case is not None:
                self.baseline_cases.append(_case(self._id(), case, job.created_at))

    def build(self) -> CheckContext:
        """The ``CheckContext`` of everything added so far."""
        assignment = Assignment(
            id=1,
            team_id=1,
            name="airline-support",
            stage=Stage.FIRST_WEEK,
            created_at=BASELINE_START,
            expected_runs_per_day=self.expected_runs_per_day,
        )
        baseline = Baseline(
            kind="trailing_7d" if self.baseline_jobs else "none",
            start=BASELINE_START,
            end=WINDOW_START,
            jobs=tuple(BaselineJob.of(job) for job in self.baseline_jobs),
            cases=tuple(self.baseline_cases),
            human_request_count=self.baseline_requests,
        )
        return CheckContext(
            assignment=assignment,
            window=Window(start=WINDOW_START, end=WINDOW_END),
            baseline=baseline,
            jobs=tuple(sorted(self.jobs, key=lambda j: (j.created_at, j.id))),
            steps=self.steps,
            human_requests=tuple(self.requests),
            request_jobs=self.request_jobs,
            cases=self.cases,
            settings=self.settings,
        )


def synthetic(jobs: int = 3_500, steps_per_job: int = 10, seed: int = 1) -> CheckContext:
    """A busy day: ``jobs`` window jobs of ``steps_per_job`` steps each, with failures,
    tool errors (PageDownTool variants), auth errors, loops, costs, cases, pending requests,
    mixed sources and input types; plus a 7-day baseline of the same volume (no steps)."""
    rng = random.Random(seed)
    ctx = Ctx(settings=CheckSettings(seed=seed), expected_runs_per_day=jobs)
    ctx.baseline(jobs * 7, cost=0.01, case=CaseStatus.COMPLETED)
    ctx.baseline_requests = jobs * 7 // 50
    statuses = [JobStatus.COMPLETED] * 90 + [JobStatus.FAILED] * 7 + [JobStatus.NEEDS_INPUT] * 3
    variants = ["''", "'page_down'", "'arguments'", "'query'"]
    for i in range(jobs):
        specs: list[dict[str, Any]] = []
        for n in range(steps_per_job):
            if n % 2 == 0:
                specs.append(model(rng.uniform(0.0005, 0.002)))
            elif rng.random() < 0.05:
                arg = rng.choice(variants)
                specs.append(
                    tool(
                        "PageDownTool",
                        error=f"TypeError: PageDownTool.forward() "
                        f"got an unexpected keyword argument {arg}",
                    )
                )
            elif rng.random() < 0.01:
                specs.append(tool("crm", error="401 Unauthorized", connection="hubspot"))
            else:
                loop = i % 97 == 0
                args = "{}" if loop else f'{{"q": {rng.randint(0, 10**6)}}}'
                specs.append(tool("search", args, connection="web"))
        status = rng.choice(statuses)
        job = ctx.job(
            status,
            at=rng.uniform(0, 23.99),
            steps=specs,
            cost=rng.uniform(0.005, 0.03),
            source=Source.SCHEDULED if rng.random() < 0.9 else Source.MANUAL,
            case=rng.choice([CaseStatus.COMPLETED] * 9 + [CaseStatus.FAILED]),
            input_type=rng.choice(["email", "pdf", "form"]),
            output=f"output {i}",
            verdict=Verdict.ACCEPTED if rng.random() < 0.9 else Verdict.REJECTED,
            error="boom" if status == JobStatus.FAILED else None,
        )
        if status == JobStatus.NEEDS_INPUT:
            ctx.request(job, age_hours=rng.uniform(0, 8), gate=rng.choice(["refund", "rebook"]))
    return ctx.build()


def _case(case_id: int, status: CaseStatus, at: datetime) -> Case:
    return Case(id=case_id, queue_id=1, status=status, created_at=at, updated_at=at)


def kinds(findings: list[Any]) -> list[str]:
    """The ``kind`` of each finding."""
    return [f.kind for f in findings]


def only(findings: list[Any], kind: str) -> Any:
    """The single finding of ``kind``."""
    matching = [f for f in findings if f.kind == kind]
    assert len(matching) == 1, [f.to_dict() for f in findings]
    return matching[0]


__all__ = [
    "BASELINE_START",
    "WINDOW_END",
    "WINDOW_START",
    "Ctx",
    "agent",
    "gate",
    "kinds",
    "model",
    "only",
    "synthetic",
    "tool",
]
