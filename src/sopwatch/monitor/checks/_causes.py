"""Error classes in the checks: each class's response, its words in titles, the classes of
a job's failed steps, and the largest tool output before a context overflow.

Private to ``sopwatch.monitor.checks``. The classes themselves come from
``domain.error_class``. Every response names its source: the seed where it speaks
(connection error → re-authorize; first step → input missing or malformed; repeated
failures on one step with similar inputs → SOP logic gap; an external service
experiencing issues → its status page), else the provider documentation it follows, or
"our choice".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sopwatch.domain.enums import JobStatus, StepStatus
from sopwatch.domain.error_class import ErrorClass, classify_step
from sopwatch.domain.job import Job, Step
from sopwatch.monitor.checks._common import fmt_count, truncate
from sopwatch.monitor.context import CheckContext
from sopwatch.monitor.stats import rate_higher_p

#: Seed, Jobs List and Post-Incident Template ("A Connection error points to a credential
#: issue").
RESPONSE_REAUTHORIZE = (
    "A Connection error points to a credential issue: go to Connections, check whether the "
    "Connection is still authorized, and re-authorize if needed. If it is authorized, check "
    "the third-party service status page."
)
#: Provider documentation (OpenAI "Rate limits" guide, Anthropic "Rate limits"): back off
#: and retry, lower the request rate, raise the limit.
RESPONSE_RATE_LIMIT = (
    "Rate limited by the provider or service: lower the assignment's concurrency (fewer Jobs "
    "at once, scheduled runs spread out), retry with exponential backoff honouring the "
    "Retry-After header, and if this volume is expected, raise the quota or usage tier "
    "with the provider (source: OpenAI and Anthropic rate-limit documentation)."
)
#: Provider deprecation pages (OpenAI, Anthropic, Google): a retired model answers 404.
RESPONSE_MODEL_NOT_FOUND = (
    "The model these calls name is not available: deprecated, retired, misspelled or not "
    "enabled for this API key. Pin a supported model in the assignment, or revert to the "
    "last revision that worked; the provider's deprecations page names the replacement "
    "(source: OpenAI, Anthropic and Google model deprecation pages)."
)
#: Provider documentation on context length (OpenAI, Anthropic "context windows").
RESPONSE_CONTEXT_OVERFLOW = (
    "The conversation outgrew the model's context window: trim or summarise the largest "
    "tool outputs before they go back to the model{largest}, cap what tools return, or use a "
    "model with a longer context (source: OpenAI and Anthropic context-window "
    "documentation)."
)
#: Seed ("the external service may be experiencing issues … check the third-party service
#: status page"); raising the timeout or asking for less is our choice.
RESPONSE_TIMEOUT = (
    "Calls timed out: the external service may be experiencing issues, so check the "
    "third-party service status page (seed). If it is up, raise the step's timeout or ask "
    "for less per call, and retry with backoff (our choice)."
)
#: Seed (as above); retrying 5xx answers with backoff follows the providers' error docs.
RESPONSE_SERVER_ERROR = (
    "The service answered with server errors or could not be reached: the external service "
    "may be experiencing issues, so check the third-party service status page and your "
    "infrastructure logs (seed). Retry with exponential backoff (source: OpenAI and "
    "Anthropic error documentation), and pause the assignment if the outage lasts."
)
#: Seed: "repeated failures on one step with similar inputs" point to a SOP logic gap;
#: the schema advice is our choice.
RESPONSE_INVALID_TOOL_ARGUMENTS = (
    "The model calls this tool with arguments its schema refuses (missing, misnamed or "
    "mistyped fields): make the tool's description and parameter schema clearer (names, "
    "types, required fields, an example), or repair and validate the arguments before the "
    "call (our choice). Repeated failures on one step with similar inputs point to a SOP "
    "logic gap (seed)."
)
#: Seed: "A failure on the very first step often means the input data was missing or
#: malformed"; what to do about it is our choice.
RESPONSE_INVALID_INPUT = (
    "A failure on the very first step often means the input data was missing or malformed "
    "(seed). Open the input of two or three of these Jobs; fix what sends it, or add a "
    "check or a HITL gate for that input shape (our choice)."
)
#: Seed: repeated failures on one step with similar inputs → SOP logic gap.
RESPONSE_CODE_ERROR = (
    "The code the agent runs raised an exception: read the traceback in two or three of "
    "these Jobs. Repeated failures on one step with similar inputs point to a SOP logic gap "
    "(seed): fix the step, or the part of the SOP that leads to it."
)
#: Seed, "Cost spike … a tool-call loop": a limit is where a loop ended.
RESPONSE_LIMIT = (
    "These Jobs ran into a limit (steps, turns or budget): the step is where a tool-call "
    "loop or an open-ended search ended, not necessarily what broke. Open one and scroll "
    "through the steps to find where calls repeat, then give the SOP a clear exit "
    "condition (see tool_loop)."
)

#: Each class's response (``other`` has none of its own: the check's wording stays).
CLASS_RESPONSES: dict[ErrorClass, str] = {
    ErrorClass.AUTH: RESPONSE_REAUTHORIZE,
    ErrorClass.RATE_LIMIT: RESPONSE_RATE_LIMIT,
    ErrorClass.MODEL_NOT_FOUND: RESPONSE_MODEL_NOT_FOUND,
    ErrorClass.CONTEXT_OVERFLOW: RESPONSE_CONTEXT_OVERFLOW,
    ErrorClass.TIMEOUT: RESPONSE_TIMEOUT,
    ErrorClass.SERVER_ERROR: RESPONSE_SERVER_ERROR,
    ErrorClass.INVALID_TOOL_ARGUMENTS: RESPONSE_INVALID_TOOL_ARGUMENTS,
    ErrorClass.INVALID_INPUT: RESPONSE_INVALID_INPUT,
    ErrorClass.CODE_ERROR: RESPONSE_CODE_ERROR,
    ErrorClass.LIMIT: RESPONSE_LIMIT,
}
#: How a title names a class.
CLASS_WORDS: dict[ErrorClass, str] = {
    ErrorClass.AUTH: "authorization errors",
    ErrorClass.RATE_LIMIT: "rate limits",
    ErrorClass.MODEL_NOT_FOUND: "model not found",
    ErrorClass.CONTEXT_OVERFLOW: "context length exceeded",
    ErrorClass.TIMEOUT: "timeouts",
    ErrorClass.SERVER_ERROR: "server errors",
    ErrorClass.INVALID_TOOL_ARGUMENTS: "invalid tool arguments",
    ErrorClass.INVALID_INPUT: "invalid input",
    ErrorClass.CODE_ERROR: "code errors",
    ErrorClass.LIMIT: "limits reached",
    ErrorClass.OTHER: "other errors",
}


def failed_step_classes(job: Job, steps: Sequence[Step]) -> dict[int, ErrorClass]:
    """``seq`` → class of each failed step of ``job`` (``domain.error_class``): the first
    step counts as the job's first, and the step where a failed job ended carries the
    job's failure kind."""
    errors = [step for step in steps if step.status == StepStatus.ERROR]
    if not errors:
        return {}
    # A failed job with a failed step ended at its last one (``ending_step``).
    ending = errors[-1].seq if job.status == JobStatus.FAILED else None
    first = steps[0].seq
    return {
        step.seq: classify_step(
            step,
            first=step.seq == first,
            failure_kind=job.failure_kind if step.seq == ending else None,
        )
        for step in errors
    }


def class_evidence(classes: Counter[ErrorClass]) -> dict[str, object]:
    """``{"error_class": most common}`` plus ``"error_classes": {class: count}`` when there
    is more than one; ``{}`` for none."""
    if not classes:
        return {}
    ranked = classes.most_common()
    evidence: dict[str, object] = {"error_class": str(ranked[0][0])}
    if len(ranked) > 1:
        evidence["error_classes"] = {str(c): n for c, n in ranked}
    return evidence


def majority(classes: Counter[ErrorClass]) -> ErrorClass | None:
    """The class of more than half of the counted failures, else None (our choice: a
    response names one cause only when most failures read that way)."""
    if not classes:
        return None
    top, count = classes.most_common(1)[0]
    return top if count * 2 > sum(classes.values()) else None


@dataclass(frozen=True, slots=True)
class LargestOutput:
    """The step with the largest output before a context overflow: ``step`` name, ``seq``,
    ``bytes`` (full UTF-8 size, also when the stored text was cut) and the job's label."""

    job_id: str
    step: str
    seq: int
    bytes: int


def largest_output(job: Job, steps: Sequence[Step], before_seq: int) -> LargestOutput | None:
    """The step of ``job`` before ``before_seq`` whose result was largest (None when no
    step before it returned anything)."""
    best: LargestOutput | None = None
    for step in steps:
        if step.seq >= before_seq:
            break
        size = _result_bytes(step)
        if size and (best is None or size > best.bytes):
            best = LargestOutput(job.label, step.name, step.seq, size)
    return best


def _result_bytes(step: Step) -> int:
    """The full UTF-8 size of a step's result (``result_bytes`` when it was cut)."""
    if step.result_bytes is not None:
        return step.result_bytes
    return len(step.result.encode("utf-8", "surrogatepass")) if step.result else 0


def context_response(outputs: Iterable[LargestOutput]) -> str:
    """``RESPONSE_CONTEXT_OVERFLOW`` naming the step whose output was most often the
    largest in these jobs, with its biggest output."""
    found = list(outputs)
    if not found:
        return RESPONSE_CONTEXT_OVERFLOW.format(largest="")
    step = Counter(o.step for o in found).most_common(1)[0][0]
    top = max((o for o in found if o.step == step), key=lambda o: o.bytes)
    where = f" (the largest here: {truncate(step, 80)}, {fmt_count(top.bytes)} bytes in job "
    where += f"{top.job_id})"
    return RESPONSE_CONTEXT_OVERFLOW.format(largest=where)


def failed_rate_spike(ctx: CheckContext, failed: int) -> bool:
    """The rule of ``needs_attention`` act (seed "Spike in Failed Jobs"): the failed rate
    is at least ``settings.failed_rate_healthy`` and the baseline is empty or lower
    (one-sided Fisher's exact test, p < ``settings.significance``)."""
    n, base = len(ctx.jobs), ctx.baseline.jobs
    if not n or failed / n < ctx.settings.failed_rate_healthy:
        return False
    if not base:
        return True
    base_failed = sum(1 for job in base if job.status == JobStatus.FAILED)
    return rate_higher_p(failed, n, base_failed, len(base)) < ctx.settings.significance
