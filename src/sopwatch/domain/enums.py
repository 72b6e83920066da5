"""String enums for every status and category the product names (docs/architecture.md "Words").

Every member's value is the lowercase word stored in the database and printed in JSON.
"""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    """Status of one job (one execution of one revision)."""

    PENDING = "pending"  # created, not started yet
    RUNNING = "running"  # executing steps
    NEEDS_INPUT = "needs_input"  # paused on a human request (Activity Inbox)
    COMPLETED = "completed"  # finished successfully
    FAILED = "failed"  # ended without completing
    STOPPED = "stopped"  # stopped by a person or an emergency stop


class CaseStatus(StrEnum):
    """Status of one case in a Case Queue."""

    PENDING = "pending"  # waiting to be claimed
    IN_PROGRESS = "in_progress"  # claimed by a job
    COMPLETED = "completed"
    FAILED = "failed"
    POSTPONED = "postponed"  # deferred until ``postponed_until``
    NEEDS_INPUT = "needs_input"  # waiting on a human


class HumanRequestStatus(StrEnum):
    """Status of one Activity Inbox item."""

    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    ANSWERED = "answered"
    EXPIRED = "expired"


class HumanRequestType(StrEnum):
    """What a human request asks for (seed: Approval or Question)."""

    APPROVAL = "approval"
    QUESTION = "question"


class AlertStatus(StrEnum):
    """Status of an alert: an anomaly that stays open until resolved."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class StepKind(StrEnum):
    """What a step of a job is."""

    MODEL = "model"  # a model call
    TOOL = "tool"  # a tool call, possibly through a connection
    GATE = "gate"  # a wait on a human request
    AGENT = "agent"  # the agent's own logic failing outside a model or tool call
    # (e.g. smolagents could not parse or run the code the model wrote)


class StepStatus(StrEnum):
    """Outcome of one step."""

    OK = "ok"
    ERROR = "error"


class Source(StrEnum):
    """What started a job (seed: source breakdown)."""

    MANUAL = "manual"
    SCHEDULED = "scheduled"
    TRIGGER = "trigger"
    CASE = "case"
    API = "api"
    INGESTED = "ingested"  # imported from an agent that runs elsewhere


class ConnectionStatus(StrEnum):
    """Authorization state of a connection (seed: authorized, expired, re-authorize, disconnect)."""

    AUTHORIZED = "authorized"
    EXPIRED = "expired"
    ERROR = "error"
    DISCONNECTED = "disconnected"


class Stage(StrEnum):
    """An assignment's monitoring stage."""

    TESTING = "testing"
    FIRST_WEEK = "first_week"
    OPERATIONAL = "operational"
    STOPPED = "stopped"


class Severity(StrEnum):
    """Severity of a finding: ``ok`` nothing to do, ``watch`` look again, ``act`` act now."""

    OK = "ok"
    WATCH = "watch"
    ACT = "act"


class Verdict(StrEnum):
    """Whether a reviewer (or a benchmark reward) accepted a job's output."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"


class FailureKind(StrEnum):
    """Why a job failed (docs/architecture.md "Execution"), plus the kinds imported runs report."""

    CONNECTION_UNRESOLVED = "connection_unresolved"
    CONTENT_TOO_LARGE = "content_too_large"
    INVALID_INPUT = "invalid_input"
    RETRIES_EXHAUSTED = "retries_exhausted"
    BUDGET_EXCEEDED = "budget_exceeded"
    LOOP_DETECTED = "loop_detected"
    TOOL_ERROR = "tool_error"
    MODEL_ERROR = "model_error"
    MAX_STEPS = "max_steps"  # the agent hit its step limit (tau2: ``max_steps``)
    TOO_MANY_ERRORS = "too_many_errors"  # tau2: ``too_many_errors``
    INFRASTRUCTURE_ERROR = "infrastructure_error"  # tau2: ``infrastructure_error``
    AGENT_ERROR = "agent_error"  # the agent span ended with an error (OpenInference)
    WRONG_OUTCOME = "wrong_outcome"  # ran to the end but the outcome was judged wrong (reward 0)


class TriggerKind(StrEnum):
    """How a trigger starts jobs."""

    WEBHOOK = "webhook"  # a signed HTTP call, filtered by a CEL expression
    CASE = "case"  # claims cases from a queue up to its concurrency
