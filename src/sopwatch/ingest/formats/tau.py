"""tau-bench historical trajectories: a JSON list of ``{task_id, trial, reward, info, traj}``.

Mapping (see ``parse``): each assistant message of ``traj`` is a ``model`` step followed by one
``tool`` step per ``tool_calls`` entry; the ``role: tool`` message with the same
``tool_call_id`` right after it is the result (content starting with "Error" makes the step an
error). Runs end cleanly (completed), unless they call ``transfer_to_human_agents``
(needs_input). The reward is the verdict. tau-bench records no timestamps and no agent cost.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sopwatch.domain.enums import JobStatus, StepKind, StepStatus
from sopwatch.ingest.files import Input, as_input
from sopwatch.ingest.formats._common import (
    HANDOFF_TOOL,
    SHAPE_ERRORS,
    FieldError,
    first_text,
    handoff_request,
    last_text,
    parse_arguments,
    problem_text,
    show,
    text_of,
    tool_messages,
    verdict_of,
)
from sopwatch.ingest.formats._documents import Documents, parse_documents
from sopwatch.ingest.records import (
    HumanRequestRecord,
    ParsedItem,
    RecordError,
    RunRecord,
    StepRecord,
)

_DOMAINS = ("airline", "retail")  # tau-bench's domains, as they appear in its file names


def parse(source: Path | Input, documents: Documents | None = None) -> Iterator[ParsedItem]:
    """Read a tau-bench trajectories file into one ``RunRecord`` per list item, in file order.

    ``external_id`` is ``"<task_id>-<trial>"``; no timestamps (``created_at`` None; the
    importer lays runs out by file order); ``cost_micros`` None (``info.user_cost`` is the
    simulated customer's cost, not the agent's). ``model`` is a heuristic from the file name:
    the part before ``-airline``/``-retail`` (``gpt-4o-airline.json`` -> ``gpt-4o``), else None;
    ``input_type`` is that domain word, else None. Never raises: an unreadable or invalid-JSON
    file yields one ``RecordError(where=<file>)``, an empty one a ``FileNote``; a bad item
    yields ``RecordError(where="<file>: item <index>")`` (0-based) and the other items still
    come out. ``source`` is a path or a ``files.Input`` (plain or gzip). A file of several
    JSON documents one after another reads each (``<file>: document 2: item 0``; see
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
    if not isinstance(doc, list):
        problem = f"must be a JSON list of runs (tau-bench); got {show(doc)}"
        yield RecordError(where=name, problem=problem, records=0)
        return
    model, domain = model_and_domain(Path(source.file_name))
    for index, item in enumerate(doc):
        where = f"{name}: item {index}"
        result: RunRecord | RecordError
        try:
            result = _run(item, model, domain, where)
        except SHAPE_ERRORS as exc:
            result = RecordError(where=where, problem=problem_text(exc))
        yield result


def model_and_domain(path: Path) -> tuple[str | None, str | None]:
    """``(model, domain)`` guessed from a tau-bench file name; None for what it does not show.

    Heuristic: upstream names files ``<model>-<domain>.json`` (e.g. ``gpt-4o-airline.json``).
    """
    name = path.name
    domain = next((word for word in _DOMAINS if word in name), None)
    if domain is None or f"-{domain}" not in name:
        return None, domain
    return name.split(f"-{domain}", 1)[0] or None, domain


def _run(item: object, model: str | None, domain: str | None, where: str = "") -> RunRecord:
    """One list item as a ``RunRecord`` located at ``where``; raises ``FieldError`` on a
    bad field."""
    if not isinstance(item, dict):
        raise FieldError("", f"an item must be an object; got {show(item)}")
    for key in ("task_id", "trial"):
        value = item.get(key)
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise FieldError(key, f"must be an integer or string; got {show(value)}")
    traj = item.get("traj")
    if not isinstance(traj, list):
        raise FieldError("traj", "missing" if traj is None else f"must be a list; got {show(traj)}")
    steps, handoff = _steps(traj, model)
    requests: tuple[HumanRequestRecord, ...] = ()
    if handoff is not None:
        requests = (handoff_request(handoff[0], handoff[1], failed=False),)
    return RunRecord(
        external_id=f"{item['task_id']}-{item['trial']}",
        status=JobStatus.NEEDS_INPUT if requests else JobStatus.COMPLETED,
        where=where,
        input=first_text(traj, "user"),
        input_type=domain,
        output=last_text(traj, "assistant"),
        verdict=verdict_of(item.get("reward"), "reward"),
        model=model,
        steps=steps,
        human_requests=requests,
    )


def _steps(
    traj: list[Any], model: str | None
) -> tuple[tuple[StepRecord, ...], tuple[StepRecord, object] | None]:
    """The run's steps and its first hand-off ``(tool step, parsed arguments)`` or None."""
    steps: list[StepRecord] = []
    handoff: tuple[StepRecord, object] | None = None
    for index, message in enumerate(traj):
        if not isinstance(message, dict):
            raise FieldError(f"traj[{index}]", f"must be an object; got {show(message)}")
        if message.get("role") != "assistant":
            continue
        steps.append(
            StepRecord(seq=len(steps) + 1, kind=StepKind.MODEL, name=model or "model", model=model)
        )
        calls = message.get("tool_calls") or []
        if not isinstance(calls, list):
            raise FieldError(f"traj[{index}].tool_calls", f"must be a list; got {show(calls)}")
        results = tool_messages(traj, index, "tool_call_id")
        for offset, call in enumerate(calls):
            step, arguments = _tool_step(
                call, f"traj[{index}].tool_calls[{offset}]", results, len(steps) + 1
            )
            steps.append(step)
            if handoff is None and step.name == HANDOFF_TOOL:
                handoff = (step, arguments)
    return tuple(steps), handoff


def _tool_step(
    call: object, where: str, results: dict[object, dict[str, Any]], seq: int
) -> tuple[StepRecord, object]:
    """One OpenAI-style ``{"id", "function": {"name", "arguments"}}`` call as a tool step."""
    function = call.get("function") if isinstance(call, dict) else None
    name = function.get("name") if isinstance(function, dict) else None
    if not isinstance(call, dict) or not isinstance(function, dict) or not isinstance(name, str):
        raise FieldError(f"{where}.function.name", "missing or not a string")
    arguments, arguments_text = parse_arguments(function.get("arguments"))
    result = results.get(call.get("id"))
    content = text_of(result.get("content")) if result is not None else None
    failed = content is not None and content.startswith("Error")
    step = StepRecord(
        seq=seq,
        kind=StepKind.TOOL,
        name=name,
        status=StepStatus.ERROR if failed else StepStatus.OK,
        arguments=arguments_text,
        result=content,
        error=content if failed else None,
    )
    return step, arguments
