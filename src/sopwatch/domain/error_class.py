"""Error classes: what kind of cause a failed step or failed job reads as.

Agents, SDKs and HTTP libraries word the same cause a hundred ways (``HTTP 401``,
``{"error":"invalid_grant"}``, ``Request failed with status code 401``); the class names
the cause once, so the daily check can group failures by it and give each class a
response of its own (``sopwatch.monitor.checks._causes``). Pure, no I/O: the importer may
later store a step's class when it writes the job.

``classify_error(error, step_kind=, first_step=, failure_kind=)`` reads, in this order
(first rule that matches wins; our choice of order, reasons inline):

1. The error text — the stored text (first ``SCAN_CHARS`` characters, so a JSON object
   written as Python ``repr`` by an SDK is read too), its one-line summary
   (``payload.summarize_error``: ``code: message``) and its code as ``status <code>`` —
   against the patterns of the service classes: ``rate_limit``, ``context_overflow``,
   ``model_not_found``, ``auth``, ``timeout``, ``server_error``. These name the service's
   answer whatever the step, so they come first. ``rate_limit`` before ``context_overflow``
   (Anthropic's rate-limit message asks to "reduce the prompt length");
   ``model_not_found`` before ``auth`` (OpenAI: "does not exist or you do not have access
   to it"); ``timeout`` before ``server_error`` (``504 Gateway Timeout``). A model step
   answered with a bare HTTP 404 is ``model_not_found`` (the model's endpoint is gone).
   ``auth`` also takes what ``domain.connection.is_auth_error`` reads as one, except a
   code sandbox's own refusals ("InterpreterError: Forbidden function evaluation").
2. ``limit`` when the text says a step, turn, iteration, recursion or budget limit was
   reached (``Reached max steps``, ``MaxTurnsExceeded``, ``UsageLimitExceeded``).
3. The job's ``failure_kind`` when it names a class (``FAILURE_KIND_CLASSES``).
4. ``invalid_input`` when the step is the job's first step (seed: "a failure on the very
   first step often means the input data was missing or malformed"), or the text says
   the input could not be read.
5. ``invalid_tool_arguments`` when the text says a tool's arguments failed validation or
   parsing (in a tool step also a Python signature error or a pydantic validation error).
6. ``code_error`` for an exception raised inside code (a traceback, a Python or
   JavaScript exception name, smolagents' interpreter errors) and for any failed
   ``agent`` step (the agent's own code).
7. ``other``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum
from functools import lru_cache

from sopwatch.domain.connection import is_auth_error
from sopwatch.domain.enums import JobStatus, StepKind, StepStatus
from sopwatch.domain.job import Job, Step
from sopwatch.domain.payload import summarize_error

#: Characters of an error text the patterns read (our choice: error texts put the cause
#: in their first lines; bounds the cost of a multi-megabyte traceback).
SCAN_CHARS = 2_000


class ErrorClass(StrEnum):
    """The cause a failure reads as (module docstring: how each is recognised)."""

    AUTH = "auth"  # 401/403, invalid_grant, expired or revoked token, bad API key
    RATE_LIMIT = "rate_limit"  # 429, RateLimitError, quota exceeded, throttling
    MODEL_NOT_FOUND = "model_not_found"  # unknown, deprecated or retired model
    CONTEXT_OVERFLOW = "context_overflow"  # context length exceeded, too many tokens
    TIMEOUT = "timeout"  # timed out, deadline exceeded, 504
    SERVER_ERROR = "server_error"  # 5xx, overloaded, service unreachable
    INVALID_TOOL_ARGUMENTS = "invalid_tool_arguments"  # tool arguments fail their schema
    INVALID_INPUT = "invalid_input"  # the first step failing on the job's input
    CODE_ERROR = "code_error"  # an exception inside code the agent runs
    LIMIT = "limit"  # max steps, max turns, budget
    OTHER = "other"


#: Failure kinds (``Job.failure_kind``, docs/architecture.md "Execution") that name a
#: class. ``connection_unresolved`` is a connection that could not be used (seed:
#: "re-authorize"); ``content_too_large`` is content too large for the model.
FAILURE_KIND_CLASSES: dict[str, ErrorClass] = {
    "invalid_input": ErrorClass.INVALID_INPUT,
    "content_too_large": ErrorClass.CONTEXT_OVERFLOW,
    "connection_unresolved": ErrorClass.AUTH,
    "max_steps": ErrorClass.LIMIT,
    "budget_exceeded": ErrorClass.LIMIT,
    "loop_detected": ErrorClass.LIMIT,
}
#: Failure kinds that say why a job stopped whatever errors it met on the way.
LIMIT_FAILURE_KINDS = frozenset({"max_steps", "budget_exceeded", "loop_detected"})

#: The classes a service (model provider or connected API) answers with.
SERVICE_CLASSES = frozenset(
    {
        ErrorClass.AUTH,
        ErrorClass.RATE_LIMIT,
        ErrorClass.MODEL_NOT_FOUND,
        ErrorClass.CONTEXT_OVERFLOW,
        ErrorClass.TIMEOUT,
        ErrorClass.SERVER_ERROR,
    }
)

_I = re.IGNORECASE
# An HTTP status in its usual context: after http/status/code/error, or before a reason.
_STATUS = r"(?:\b(?:http|status|code|error)\W{{0,3}}(?:{codes})\b|\b(?:{codes})\W{{0,2}}[A-Z][a-z])"


def _status(codes: str) -> str:
    return _STATUS.format(codes=codes)


_RATE_LIMIT = re.compile(
    "|".join(
        [
            _status("429"),
            r"\brate[_ -]?limit",
            r"\btoo many requests\b",
            r"RateLimit",
            r"\bRESOURCE_EXHAUSTED\b",
            r"\bresource (?:has been )?exhausted\b",
            r"\bquota\b",
            r"\bthrottl",
            r"\bcredit balance is too low\b",
            r"\bSlowDown\b",
        ]
    ),
    _I,
)
_CONTEXT_OVERFLOW = re.compile(
    "|".join(
        [
            r"context[_ ]length[_ ]exceeded",
            r"\bmaximum context length\b",
            r"\bcontext (?:length|window|size)\b[^.\n]{0,40}\b(?:exceed|too (?:long|large)|limit)",
            r"\bexceeds? (?:the )?(?:model'?s? )?context (?:length|window)",
            r"\bprompt is too long\b",
            r"\binput is too long\b",
            r"\btoo many (?:input |prompt )?tokens\b",
            r"\btokens? > \d+ maximum\b",
            r"\btoken count\b[^.\n]{0,40}\bexceeds\b",
            r"\bexceeds? the maximum number of tokens\b",
            r"\breduce the length of the messages\b",
            r"ContextWindowExceeded",
            r"\brequest_too_large\b",
            r"\bstring_above_max_length\b",
            r"\b(?:request entity|payload|content) too large\b",
        ]
    ),
    _I,
)
_MODEL_NOT_FOUND = re.compile(
    "|".join(
        [
            r"\bmodel_not_found\b",
            r"\bmodel_decommissioned\b",
            r"\bmodel\b\W{1,3}[\w.\-:/@]+\W{0,3}(?:does not exist|not found|is not found"
            r"|(?:has been |was |is )?(?:deprecated|retired|decommissioned)"
            r"|is not (?:supported|available))",
            r"\b(?:unknown|invalid|unsupported|deprecated|retired|decommissioned) model\b",
            r"\bmodel (?:not found|does not exist|is not available)\b",
            r"\bno such model\b",
            r"\bmodels/[\w.\-]+ is not found\b",
            r"\bnot_found_error\b[^\n]{0,40}\bmodel\b",
            r"\bDeploymentNotFound\b",
            r"\bmodel identifier is invalid\b",
        ]
    ),
    _I,
)
_AUTH = re.compile(
    "|".join(
        [
            r"\bauthentication_error\b",
            r"\bpermission_error\b",
            r"\binvalid_api_key\b",
            r"\bincorrect api key\b",
            r"\bapi key not valid\b",
            r"\binvalid[ _-](?:x-)?api[ _-]?key\b",
            r"\bUNAUTHENTICATED\b",
            r"\bPERMISSION_DENIED\b",
            r"AuthenticationError",
            r"PermissionDenied",
            r"AccessDenied",
            r"\bExpiredToken",
            r"\binvalid_client\b",
            r"\bunauthorized_client\b",
            r"\binsufficient_scope\b",
            r"\btoken_expired\b",
        ]
    ),
    _I,
)
# Words ``is_auth_error`` takes for authorization that code sandboxes use for their own
# refusals (smolagents: "InterpreterError: Forbidden function evaluation: 'open'").
_SANDBOX_REFUSAL = re.compile(
    r"\bforbidden (?:function|access to module|import|operation)\b|InterpreterError", _I
)
_TIMEOUT = re.compile(
    "|".join(
        [
            r"timed? ?out\b",
            r"timeout",
            r"\bdeadline[_ ]exceeded\b",
            r"\bETIMEDOUT\b",
            r"\bESOCKETTIMEDOUT\b",
            _status("408|504"),
            r"\bgateway time-?out\b",
        ]
    ),
    _I,
)
_SERVER_ERROR = re.compile(
    "|".join(
        [
            _status(r"5\d\d"),
            r"\b5\d\d (?:server error|internal)",
            r"\binternal[_ ]server[_ ]error\b",
            r"InternalServerError",
            r"\bserver_error\b",
            r"\bapi_error\b",
            r"\boverloaded",
            r"\bbad gateway\b",
            r"\bservice (?:is )?(?:temporarily )?unavailable\b",
            r"\bServiceUnavailable",
            r"\bUNAVAILABLE\b",
            r"\bconnection ?(?:refused|reset|aborted|error)",
            r"APIConnectionError",
            r"\bECONNREFUSED\b",
            r"\bECONNRESET\b",
            r"\bENOTFOUND\b",
            r"\bEAI_AGAIN\b",
            r"\bsocket hang up\b",
            r"\bname or service not known\b",
            r"\btemporary failure in name resolution\b",
            r"\bmax retries exceeded with url\b",
            r"\bserver error '5",
        ]
    ),
    _I,
)
_HTTP_404 = re.compile(_status("404") + r"|\b404 not found\b|\bNOT_FOUND\b|\bNotFoundError\b", _I)
_LIMIT = re.compile(
    "|".join(
        [
            r"\bmax(?:imum)?[_ ]?(?:number of )?(?:steps|turns|iterations)\b",
            r"\b(?:step|turn|iteration|recursion) limit\b",
            r"\bMaxTurnsExceeded\b",
            r"\bGraphRecursionError\b",
            r"\bUsageLimitExceeded\b",
            r"\b(?:request|token|total_tokens|usage)_limit\b",
            r"\bbudget\b[^.\n]{0,30}\b(?:exceed|reached|exhausted)",
            r"\bexceed(?:ed|s)? (?:the |its |your )?budget\b",
        ]
    ),
    _I,
)
_INVALID_INPUT = re.compile(
    "|".join(
        [
            r"\binvalid[_ ]input\b",
            r"\binput (?:is |was )?(?:empty|missing|malformed)\b",
            r"\b(?:could not|cannot|can't|unable to|failed to) (?:parse|decode|read|process|open) "
            r"(?:the )?(?:input|document|file|image|pdf|attachment)\b",
            r"\bunsupported (?:file|media|mime|image|document|content)[ _-]?(?:type|format)\b",
            r"\bcontent blocks must be non-empty\b",
        ]
    ),
    _I,
)
_TOOL_ARGUMENTS = re.compile(
    "|".join(
        [
            r"\b(?:invalid|malformed|unparsable|bad)\W+(?:json\W+)?(?:tool\W+(?:call\W+)?)?"
            r"(?:arguments?|args|parameters)\b",
            r"\b(?:could not|cannot|failed to|unable to) parse (?:the )?(?:tool(?: call)? )?"
            r"(?:arguments?|args)\b",
            r"\binvalid json input for tool\b",
            r"\barguments? (?:do|does) not match\b",
            r"\bdoes not match (?:the )?(?:input |tool |json )?schema\b",
            r"\btool_use\.input\b",
            r"\bwith arguments\b[^\n]{0,200}\b(?:TypeError|ValidationError)\b",
        ]
    ),
    _I,
)
# In a tool step: the tool's signature or its argument model refused the call.
_TOOL_SIGNATURE = re.compile(
    r"\bunexpected keyword argument\b|\bmissing \d+ required (?:positional |keyword-only )?"
    r"arguments?\b|\bvalidation errors? for\b|\bField required \[type=missing",
    _I,
)
_CODE = re.compile(
    "|".join(
        [
            r"\bTraceback \(most recent call last\)",
            r"\b(?:Key|Index|Type|Value|Attribute|Name|ZeroDivision|Assertion|Import|"
            r"ModuleNotFound|Syntax|Indentation|UnboundLocal|Recursion|NotImplemented|"
            r"FileNotFound|Overflow|UnicodeDecode|UnicodeEncode|JSONDecode|Runtime|Lookup|"
            r"Arithmetic|Reference|Range|Interpreter|AgentExecution|AgentParsing|"
            r"AgentGeneration)Error\b",
            r"\bStopIteration\b",
            r"\bcode execution failed\b",
            r"\berror in code parsing\b",
            r"\bis not defined\b",
            r"\bhas no attribute\b",
            r"\bcannot read propert(?:y|ies) of (?:undefined|null)\b",
        ]
    ),
    _I,
)
#: Service classes in the order they are tried (module docstring, rule 1).
_SERVICE_RULES: tuple[tuple[ErrorClass, re.Pattern[str]], ...] = (
    (ErrorClass.RATE_LIMIT, _RATE_LIMIT),
    (ErrorClass.CONTEXT_OVERFLOW, _CONTEXT_OVERFLOW),
    (ErrorClass.MODEL_NOT_FOUND, _MODEL_NOT_FOUND),
    (ErrorClass.AUTH, _AUTH),
    (ErrorClass.TIMEOUT, _TIMEOUT),
    (ErrorClass.SERVER_ERROR, _SERVER_ERROR),
)


def _reading(error: str | None) -> str:
    """The text the patterns read: the stored text's head, its summary line, and its JSON
    code as ``status <code>`` (so ``{"code": 429}`` reads as an HTTP status)."""
    if not error or not error.strip():
        return ""
    summary = summarize_error(error)
    parts = [error[:SCAN_CHARS]]
    if summary is not None:
        parts.append(summary.line()[:SCAN_CHARS])
        if summary.code is not None:
            parts.append(f"status {summary.code[:100]}")
    return "\n".join(parts)


def _service_class(text: str, step_kind: StepKind | None) -> ErrorClass | None:
    """Rule 1 of the module docstring."""
    for error_class, pattern in _SERVICE_RULES:
        if pattern.search(text):
            return error_class
        if (
            error_class == ErrorClass.AUTH
            and is_auth_error(text)
            and not _SANDBOX_REFUSAL.search(text)
        ):
            return error_class
    if step_kind == StepKind.MODEL and _HTTP_404.search(text):
        return ErrorClass.MODEL_NOT_FOUND
    return None


@lru_cache(maxsize=8_192)
def classify_error(
    error: str | None,
    *,
    step_kind: StepKind | None = None,
    first_step: bool = False,
    failure_kind: str | None = None,
) -> ErrorClass:
    """The class of one failure (rules in the module docstring).

    ``error`` is the stored error text (plain or JSON), ``step_kind`` the failed step's
    kind (None for a job's own error), ``first_step`` True when the failure is the job's
    first step (or the job failed before any step), ``failure_kind`` the job's, passed only
    for the step where the job ended. Memoised: errors repeat a lot within a window.
    """
    text = _reading(error)
    if text:
        found = _service_class(text, step_kind)
        if found is not None:
            return found
        if _LIMIT.search(text):
            return ErrorClass.LIMIT
    by_kind = FAILURE_KIND_CLASSES.get(failure_kind or "")
    if by_kind is not None:
        return by_kind
    if first_step or _INVALID_INPUT.search(text):
        return ErrorClass.INVALID_INPUT
    if _TOOL_ARGUMENTS.search(text) or (
        step_kind == StepKind.TOOL and _TOOL_SIGNATURE.search(text)
    ):
        return ErrorClass.INVALID_TOOL_ARGUMENTS
    if step_kind == StepKind.AGENT or _CODE.search(text):
        return ErrorClass.CODE_ERROR
    return ErrorClass.OTHER


def ending_step(steps: Sequence[Step]) -> Step | None:
    """Where a failed job ended: its last step with status error, else its last step;
    None for a job without steps (the same rule as the check's ``failing_step``)."""
    for step in reversed(steps):
        if step.status == StepStatus.ERROR:
            return step
    return steps[-1] if steps else None


def classify_step(step: Step, *, first: bool, failure_kind: str | None = None) -> ErrorClass:
    """The class of a failed step; ``first`` when it is its job's first step,
    ``failure_kind`` the job's when the job ended at this step (else None)."""
    return classify_error(
        step.error, step_kind=step.kind, first_step=first, failure_kind=failure_kind
    )


def classify_job(job: Job, steps: Sequence[Step]) -> ErrorClass | None:
    """The class of a failed job (None when its status is not ``failed``).

    A limit failure kind decides (the job stopped at the limit whatever errors it met on
    the way). Else the step where it ended (``ending_step``) is classified with the job's
    failure kind; when that reads ``other`` (or there is no failed step) the job's own
    error is read instead. A job that failed before any step counts as a first-step
    failure (seed: input data missing or malformed).
    """
    if job.status != JobStatus.FAILED:
        return None
    if job.failure_kind in LIMIT_FAILURE_KINDS:
        return ErrorClass.LIMIT
    step = ending_step(steps)
    if step is not None and step.status == StepStatus.ERROR:
        first = step.seq == steps[0].seq
        found = classify_step(step, first=first, failure_kind=job.failure_kind)
        if found != ErrorClass.OTHER:
            return found
    # No failed step, or one reading "other" (so not the first step): the job's own error.
    return classify_error(job.error, first_step=not steps, failure_kind=job.failure_kind)
