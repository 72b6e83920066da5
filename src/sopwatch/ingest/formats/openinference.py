"""OpenInference span trees (TRAIL/GAIA): ``{"trace_id", "spans": [root, ...]}``, one run a file.

Each span has ``span_name``, ``timestamp`` (start, ISO 8601), ``duration`` (ISO-8601
duration), ``status_code`` (``Ok``/``Error``/``Unset``), ``status_message``,
``span_attributes`` (``openinference.span.kind`` is LLM/TOOL/CHAIN/AGENT or absent) and nested
``child_spans``. Mapping: see ``parse``. The span kind and ``status_code`` are read in any
case and with an enum class prefix (``llm``, ``OpenInferenceSpanKindValues.LLM``,
``StatusCode.ERROR``; ``_common.enum_name``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sopwatch.domain.enums import FailureKind, JobStatus, StepKind, StepStatus
from sopwatch.ingest.files import Input, as_input
from sopwatch.ingest.formats._common import (
    SHAPE_ERRORS,
    FieldError,
    enum_name,
    integer,
    parse_arguments,
    parse_duration_ms,
    parse_time,
    problem_text,
    show,
    span_ms,
    text_of,
)
from sopwatch.ingest.formats._documents import Documents, parse_documents
from sopwatch.ingest.records import ParsedItem, RecordError, RunRecord, StepRecord

_KIND = "openinference.span.kind"
_FINAL_ANSWER_SPAN = "FinalAnswerTool"
_FINAL_ANSWER_TOOL = "final_answer"


class _Span:
    """One span, flattened: its start, duration, attributes and tree context."""

    __slots__ = (
        "agent",
        "attrs",
        "duration_ms",
        "errored_below",
        "field",
        "kind",
        "order",
        "raw",
        "start",
    )

    def __init__(self, raw: dict[str, Any], field: str, order: int, agent: str | None) -> None:
        attrs = raw.get("span_attributes") or {}
        if not isinstance(attrs, dict):
            raise FieldError(f"{field}.span_attributes", f"must be an object; got {show(attrs)}")
        start = parse_time(raw.get("timestamp"), f"{field}.timestamp")
        if start is None:
            raise FieldError(f"{field}.timestamp", "missing")
        duration = raw.get("duration")
        self.raw = raw
        self.field = field  # where the span is, for error messages
        self.attrs: dict[str, Any] = attrs
        self.kind = (enum_name(attribute(attrs, _KIND)) or "").upper()
        self.start: datetime = start
        self.duration_ms = (
            None if duration is None else parse_duration_ms(duration, f"{field}.duration")
        )
        self.order = order
        self.agent = agent  # name of the nearest enclosing AGENT span
        self.errored_below = False  # a descendant TOOL/LLM span has status Error

    def attr(self, key: str) -> Any:
        """The span attribute ``key`` (dotted), flat or nested (``attribute``)."""
        return attribute(self.attrs, key)

    @property
    def name(self) -> str:
        """The span's ``span_name`` (empty string if absent)."""
        name = self.raw.get("span_name")
        return name if isinstance(name, str) else ""

    @property
    def error(self) -> bool:
        """True when the span's ``status_code`` is ``Error`` (in any case)."""
        return enum_name(self.raw.get("status_code")) == "error"

    @property
    def message(self) -> str | None:
        """The span's ``status_message``, None when empty."""
        return text_of(self.raw.get("status_message")) or None

    @property
    def end(self) -> datetime | None:
        """Start plus duration (UTC); None when the duration is unknown.

        Raises ``FieldError`` (on ``duration``) when that lies beyond year 9999.
        """
        if self.duration_ms is None:
            return None
        try:
            return self.start + timedelta(milliseconds=self.duration_ms)
        except OverflowError:
            raise FieldError(f"{self.field}.duration", "ends after the year 9999") from None

    def is_final_answer(self) -> bool:
        """True for the agent's final-answer tool span."""
        return self.name == _FINAL_ANSWER_SPAN or self.attr("tool.name") == _FINAL_ANSWER_TOOL


def attribute(attrs: dict[str, Any], key: str) -> Any:
    """The attribute ``key`` (dotted, e.g. ``llm.token_count.prompt``) of a span's
    attributes, written flat (``{"llm.token_count.prompt": 5}``), nested (``{"llm":
    {"token_count": {"prompt": 5}}}``) or a mix; None when absent. The flat key wins."""
    value = attrs.get(key)
    if value is not None or "." not in key:
        return value
    parts = key.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        inner = attrs.get(".".join(parts[:cut]))
        if isinstance(inner, dict):
            found = attribute(inner, ".".join(parts[cut:]))
            if found is not None:
                return found
    return None


def parse(source: Path | Input, documents: Documents | None = None) -> Iterator[ParsedItem]:
    """Read one OpenInference trace file into one ``RunRecord`` (``external_id`` = trace_id).

    Times come from the root span (UTC; finish = start + ISO-8601 duration, ``duration_ms``
    in ms). Spans are flattened in start-time order: LLM -> ``model`` step (see
    ``_model_step`` for tokens, cache counts and ``max_tokens``), TOOL -> ``tool`` step
    (``input.value`` as arguments, canonical JSON when it is JSON text, ``output.value`` as
    result), an errored CHAIN span with no errored TOOL/LLM
    span below it -> one ``agent`` step named after its enclosing AGENT span. Status: an
    errored AGENT span -> failed (``agent_error``); else no final-answer span -> failed
    (``agent_error``, "no final answer"); else completed. No USD cost (``cost_micros`` None).
    Span attributes are read flat (``"llm.token_count.prompt": 5``) or nested
    (``"llm": {"token_count": {"prompt": 5}}``). Never raises: a bad file or trace yields
    one ``RecordError`` (where = the file, or ``"<file>: trace <trace_id>"``), an empty
    file a ``FileNote``. ``source`` is a path or a ``files.Input`` (plain or gzip). A file
    of several traces one after another reads each (``<file>: document 2: trace …``; see
    ``_documents``).
    """
    return parse_documents(as_input(source), parse_document, documents)


def parse_document(
    doc: Any, source: Path | Input, where: str | None = None
) -> Iterator[ParsedItem]:
    """``parse`` over one JSON document of the file, already read (format detection reads
    a document once and hands it over rather than reading the file a second time); its
    items are located at ``where`` (default: the file's name; ``<file>: document N`` for
    one of several documents in the file)."""
    source = as_input(source)
    name = source.name if where is None else where
    if not isinstance(doc, dict) or not isinstance(doc.get("spans"), list):
        problem = "field 'spans': missing or not a list (not an OpenInference trace file)"
        yield RecordError(where=name, problem=problem, records=0)
        return
    trace_id = doc.get("trace_id")
    named = isinstance(trace_id, str) and trace_id.strip()
    where = f"{name}: trace {str(trace_id)[:100]}" if named else name
    result: RunRecord | RecordError
    try:
        result = _run(doc, trace_id, where)
    except SHAPE_ERRORS as exc:
        result = RecordError(where=where, problem=problem_text(exc))
    yield result


def _run(doc: dict[str, Any], trace_id: object, where: str = "") -> RunRecord:
    """The trace as a ``RunRecord`` located at ``where``; raises ``FieldError`` on a bad
    field."""
    if not isinstance(trace_id, str) or not trace_id.strip():
        raise FieldError("trace_id", f"must be a non-blank string; got {show(trace_id)}")
    spans: list[_Span] = []
    roots = [_flatten(raw, f"spans[{i}]", None, spans) for i, raw in enumerate(doc["spans"])]
    if not roots:
        raise FieldError("spans", "empty: a trace needs a root span")
    spans.sort(key=lambda span: (span.start, span.order))
    start = min(root.start for root in roots)
    ends = [root.end for root in roots]
    end = None if None in ends else max(e for e in ends if e is not None)
    agents = [span for span in spans if span.kind == "AGENT"]
    outer = next((span for span in agents if span.agent is None), None)
    final = [span for span in spans if span.is_final_answer()]
    status, failure_kind, error = _status(agents, final)
    output = final[-1].attr("output.value") if final else None
    if output is None and outer is not None:
        output = outer.attr("output.value")
    model = next((s.attr("llm.model_name") for s in spans if s.attr("llm.model_name")), None)
    return RunRecord(
        external_id=trace_id,
        status=status,
        where=where,
        created_at=start,
        started_at=start,
        finished_at=end,
        duration_ms=roots[0].duration_ms if len(roots) == 1 else span_ms(start, end),
        input=text_of(outer.attr("input.value")) if outer is not None else None,
        output=text_of(output),
        failure_kind=failure_kind,
        error=error,
        model=text_of(model),
        steps=_steps(spans),
    )


def _flatten(raw: object, field: str, agent: str | None, out: list[_Span]) -> _Span:
    """Append ``raw`` and its descendants to ``out`` (pre-order); return ``raw``'s ``_Span``.

    Sets ``errored_below`` on every span that has an errored TOOL/LLM descendant.
    """
    if not isinstance(raw, dict):
        raise FieldError(field, f"must be an object; got {show(raw)}")
    span_id = raw.get("span_id")
    field = f"spans[id={span_id}]" if isinstance(span_id, str) and span_id else field
    span = _Span(raw, field, len(out), agent)
    out.append(span)
    children = raw.get("child_spans") or []
    if not isinstance(children, list):
        raise FieldError(f"{field}.child_spans", f"must be a list; got {show(children)}")
    inner_agent = span.name if span.kind == "AGENT" else agent
    for index, child_raw in enumerate(children):
        child = _flatten(child_raw, f"{field}.child_spans[{index}]", inner_agent, out)
        if child.errored_below or (child.error and child.kind in ("TOOL", "LLM")):
            span.errored_below = True
    return span


def _status(agents: list[_Span], final: list[_Span]) -> tuple[JobStatus, str | None, str | None]:
    """``(status, failure_kind, error)``: errored AGENT span, else missing final answer."""
    failed_agent = next((span for span in agents if span.error), None)
    if failed_agent is not None:
        return JobStatus.FAILED, FailureKind.AGENT_ERROR.value, failed_agent.message
    if not final:
        return JobStatus.FAILED, FailureKind.AGENT_ERROR.value, "no final answer"
    return JobStatus.COMPLETED, None, None


def _steps(spans: list[_Span]) -> tuple[StepRecord, ...]:
    """Steps from the start-ordered spans: LLM, TOOL, and unexplained CHAIN errors."""
    steps: list[StepRecord] = []
    for span in spans:
        seq = len(steps) + 1
        status = StepStatus.ERROR if span.error else StepStatus.OK
        error = span.message if span.error else None
        common: dict[str, Any] = {
            "seq": seq,
            "status": status,
            "error": error,
            "started_at": span.start,
            "duration_ms": span.duration_ms,
        }
        if span.kind == "LLM":
            steps.append(_model_step(span, common))
        elif span.kind == "TOOL":
            arguments = parse_arguments(span.attr("input.value"))[1]
            result = text_of(span.attr("output.value"))
            steps.append(
                StepRecord(
                    kind=StepKind.TOOL, name=span.name, arguments=arguments, result=result, **common
                )
            )
        elif span.kind == "CHAIN" and span.error and not span.errored_below:
            steps.append(StepRecord(kind=StepKind.AGENT, name=span.agent or span.name, **common))
    return tuple(steps)


def _model_step(span: _Span, common: dict[str, Any]) -> StepRecord:
    """The ``model`` step for an LLM span, with what the span says of the call:

    - tokens: ``llm.token_count.prompt``/``completion``; cache counts (parts of the prompt
      count, OpenInference semantic conventions): ``llm.token_count.prompt_details.
      cache_read``/``cache_write``;
    - ``max_tokens``: ``max_tokens``, else ``max_completion_tokens``, of
      ``llm.invocation_parameters`` (a JSON object, or JSON text of one; other text says
      nothing and leaves it unknown);
    - ``finish_reason``: none (OpenInference has no attribute for it).
    """
    model = text_of(span.attr("llm.model_name")) or None
    field = f"{span.field}.span_attributes.llm.token_count"

    def tokens(name: str) -> int | None:
        return integer(span.attr(f"llm.token_count.{name}"), f"{field}.{name}", digits=True)

    return StepRecord(
        kind=StepKind.MODEL,
        name=model or span.name,
        input_tokens=tokens("prompt"),
        output_tokens=tokens("completion"),
        model=model,
        max_tokens=_max_tokens(span),
        cache_read_tokens=tokens("prompt_details.cache_read"),
        cache_write_tokens=tokens("prompt_details.cache_write"),
        **common,
    )


def _max_tokens(span: _Span) -> int | None:
    """The call's token limit from ``llm.invocation_parameters`` (``_model_step``)."""
    params = span.attr("llm.invocation_parameters")
    if isinstance(params, str):
        try:
            params = json.loads(params)
        except (ValueError, RecursionError):
            return None
    if not isinstance(params, dict):
        return None
    field = f"{span.field}.span_attributes.llm.invocation_parameters"
    for key in ("max_tokens", "max_completion_tokens"):
        if params.get(key) is not None:
            return integer(params[key], f"{field}.{key}", digits=True)
    return None
