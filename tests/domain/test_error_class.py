"""Error classes on real-world error texts: OpenAI, Anthropic, Google, HTTP libraries,
Python exceptions, agent frameworks; JSON and plain."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from sopwatch.domain.enums import JobStatus, Source, StepKind, StepStatus
from sopwatch.domain.error_class import (
    ErrorClass,
    classify_error,
    classify_job,
    classify_step,
)
from sopwatch.domain.job import Job, Step

C = ErrorClass
MODEL, TOOL, AGENT = StepKind.MODEL, StepKind.TOOL, StepKind.AGENT

# (error text, step kind, expected class) — texts as the SDKs and libraries print them.
REAL_WORLD: list[tuple[str, StepKind | None, ErrorClass]] = [
    # --- OpenAI (JSON bodies and the Python SDK's "Error code: N - {repr}" strings)
    (
        "Error code: 401 - {'error': {'message': 'Incorrect API key provided: sk-proj-****abcd."
        " You can find your API key at https://platform.openai.com/account/api-keys.', "
        "'type': 'invalid_request_error', 'param': None, 'code': 'invalid_api_key'}}",
        MODEL,
        C.AUTH,
    ),
    (
        '{"error":{"message":"Rate limit reached for gpt-4o in organization org-abc on tokens '
        'per min (TPM): Limit 30000, Used 29750, Requested 1200. Please try again in 1.9s.",'
        '"type":"tokens","param":null,"code":"rate_limit_exceeded"}}',
        MODEL,
        C.RATE_LIMIT,
    ),
    (
        "Error code: 429 - {'error': {'message': 'You exceeded your current quota, please check "
        "your plan and billing details.', 'type': 'insufficient_quota', 'param': None, "
        "'code': 'insufficient_quota'}}",
        MODEL,
        C.RATE_LIMIT,
    ),
    (
        '{"error":{"message":"The model `gpt-4-0314` has been deprecated, learn more here: '
        'https://platform.openai.com/docs/deprecations","type":"invalid_request_error",'
        '"param":null,"code":"model_not_found"}}',
        MODEL,
        C.MODEL_NOT_FOUND,
    ),
    (
        "openai.NotFoundError: Error code: 404 - {'error': {'message': 'The model `gpt-5-turbo` "
        "does not exist or you do not have access to it.', 'type': 'invalid_request_error', "
        "'param': None, 'code': 'model_not_found'}}",
        MODEL,
        C.MODEL_NOT_FOUND,
    ),
    (
        "Error code: 400 - {'error': {'message': \"This model's maximum context length is 128000 "
        "tokens. However, your messages resulted in 153094 tokens. Please reduce the length of "
        "the messages.\", 'type': 'invalid_request_error', 'param': 'messages', "
        "'code': 'context_length_exceeded'}}",
        MODEL,
        C.CONTEXT_OVERFLOW,
    ),
    (
        '{"error":{"message":"Your input exceeds the context window of this model. Please adjust '
        'your input and try again.","type":"invalid_request_error","param":"input",'
        '"code":"context_length_exceeded"}}',
        MODEL,
        C.CONTEXT_OVERFLOW,
    ),
    ("openai.APITimeoutError: Request timed out.", MODEL, C.TIMEOUT),
    (
        "openai.InternalServerError: Error code: 500 - {'error': {'message': 'The server had an "
        "error while processing your request. Sorry about that!', 'type': 'server_error'}}",
        MODEL,
        C.SERVER_ERROR,
    ),
    ("openai.APIConnectionError: Connection error.", MODEL, C.SERVER_ERROR),
    # --- Anthropic
    (
        '{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}',
        MODEL,
        C.AUTH,
    ),
    (
        '{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens '
        "has exceeded your per-minute rate limit (https://docs.anthropic.com/en/api/rate-limits)"
        "; see the response headers for current usage. Please reduce the prompt length or the "
        'maximum tokens requested, or try again later."}}',
        MODEL,
        C.RATE_LIMIT,
    ),
    (
        '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
        MODEL,
        C.SERVER_ERROR,
    ),
    (
        '{"type":"error","error":{"type":"api_error","message":"Internal server error"}}',
        MODEL,
        C.SERVER_ERROR,
    ),
    (
        '{"type":"error","error":{"type":"not_found_error","message":"model: '
        'claude-3-opus-latest"}}',
        MODEL,
        C.MODEL_NOT_FOUND,
    ),
    (
        '{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: '
        '215000 tokens > 200000 maximum"}}',
        MODEL,
        C.CONTEXT_OVERFLOW,
    ),
    (
        '{"type":"error","error":{"type":"request_too_large","message":"Request exceeds the '
        'maximum allowed number of bytes."}}',
        MODEL,
        C.CONTEXT_OVERFLOW,
    ),
    (
        "anthropic.PermissionDeniedError: Error code: 403 - {'type': 'error', 'error': "
        "{'type': 'permission_error', 'message': 'Your API key does not have permission to use "
        "the specified resource.'}}",
        MODEL,
        C.AUTH,
    ),
    ("Your credit balance is too low to access the Anthropic API.", MODEL, C.RATE_LIMIT),
    # --- Google (Gemini / Vertex)
    (
        '{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).",'
        '"status":"RESOURCE_EXHAUSTED"}}',
        MODEL,
        C.RATE_LIMIT,
    ),
    (
        '{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.",'
        '"status":"INVALID_ARGUMENT"}}',
        MODEL,
        C.AUTH,
    ),
    (
        '{"error":{"code":404,"message":"models/gemini-1.0-pro is not found for API version '
        'v1beta, or is not supported for generateContent.","status":"NOT_FOUND"}}',
        MODEL,
        C.MODEL_NOT_FOUND,
    ),
    (
        '{"error":{"code":400,"message":"The input token count (1200000) exceeds the maximum '
        'number of tokens allowed (1048576).","status":"INVALID_ARGUMENT"}}',
        MODEL,
        C.CONTEXT_OVERFLOW,
    ),
    (
        '{"error":{"code":503,"message":"The model is overloaded. Please try again later.",'
        '"status":"UNAVAILABLE"}}',
        MODEL,
        C.SERVER_ERROR,
    ),
    (
        '{"error":{"code":504,"message":"Deadline Exceeded","status":"DEADLINE_EXCEEDED"}}',
        MODEL,
        C.TIMEOUT,
    ),
    (
        "google.api_core.exceptions.PermissionDenied: 403 Permission denied on resource project "
        "my-proj.",
        MODEL,
        C.AUTH,
    ),
    # --- AWS Bedrock, Azure, Groq, litellm
    (
        "ThrottlingException: Too many requests, please wait before trying again.",
        MODEL,
        C.RATE_LIMIT,
    ),
    ("ValidationException: The provided model identifier is invalid.", MODEL, C.MODEL_NOT_FOUND),
    ("ValidationException: Input is too long for requested model.", MODEL, C.CONTEXT_OVERFLOW),
    (
        "Error code: 404 - {'error': {'code': 'DeploymentNotFound', 'message': 'The API deployment "
        "for this resource does not exist.'}}",
        MODEL,
        C.MODEL_NOT_FOUND,
    ),
    (
        '{"error":{"message":"The model `llama3-70b-8192` has been decommissioned and is no longer '
        'supported.","type":"invalid_request_error","code":"model_decommissioned"}}',
        MODEL,
        C.MODEL_NOT_FOUND,
    ),
    (
        "litellm.ContextWindowExceededError: litellm.BadRequestError: ContextWindowExceededError",
        MODEL,
        C.CONTEXT_OVERFLOW,
    ),
    ("HTTP 404", MODEL, C.MODEL_NOT_FOUND),  # a model endpoint that is gone
    ("404 model not found", MODEL, C.MODEL_NOT_FOUND),
    # --- HTTP libraries (tools and connections)
    (
        "requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url: "
        "https://api.hubapi.com/crm/v3/objects/contacts",
        TOOL,
        C.AUTH,
    ),
    ("HTTP 401", TOOL, C.AUTH),
    ('{"error":"invalid_grant"}', TOOL, C.AUTH),
    (
        '{"error":"invalid_grant","error_description":"Token has been expired or revoked."}',
        TOOL,
        C.AUTH,
    ),
    ("AxiosError: Request failed with status code 401", TOOL, C.AUTH),
    ("urllib.error.HTTPError: HTTP Error 403: Forbidden", TOOL, C.AUTH),
    ('{"status_code":401,"detail":"Request refused"}', TOOL, C.AUTH),
    (
        "httpx.HTTPStatusError: Client error '429 Too Many Requests' for url "
        "'https://api.example.com/v1/search'",
        TOOL,
        C.RATE_LIMIT,
    ),
    (
        "requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='api.example.com', port=443): "
        "Read timed out. (read timeout=30)",
        TOOL,
        C.TIMEOUT,
    ),
    ("httpx.ConnectTimeout: timed out", TOOL, C.TIMEOUT),
    ("timeout of 30000ms exceeded", TOOL, C.TIMEOUT),
    ("context deadline exceeded", TOOL, C.TIMEOUT),
    ("504 Gateway Timeout", TOOL, C.TIMEOUT),
    (
        "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='erp.example.com', "
        "port=443): Max retries exceeded with url: /v1/invoices (Caused by NewConnectionError("
        "'<urllib3.connection.HTTPSConnection object at 0x7f>: Failed to establish a new "
        "connection: [Errno 111] Connection refused'))",
        TOOL,
        C.SERVER_ERROR,
    ),
    (
        "httpx.HTTPStatusError: Server error '502 Bad Gateway' for url 'https://erp.example.com'",
        TOOL,
        C.SERVER_ERROR,
    ),
    ("AxiosError: Request failed with status code 503", TOOL, C.SERVER_ERROR),
    ("Error: connect ECONNREFUSED 127.0.0.1:8080", TOOL, C.SERVER_ERROR),
    ("Error: socket hang up", TOOL, C.SERVER_ERROR),
    (
        "aiohttp.client_exceptions.ClientResponseError: 500, message='Internal Server Error'",
        TOOL,
        C.SERVER_ERROR,
    ),
    ('{"error":{"code":"rate_limited","message":"Slow down"}}', TOOL, C.RATE_LIMIT),
    # --- tool arguments
    (
        'ModelBehaviorError: Invalid JSON input for tool get_weather: {"city": ',
        TOOL,
        C.INVALID_TOOL_ARGUMENTS,
    ),
    (
        "1 validation error for SearchArgs\nquery\n  Field required [type=missing, "
        "input_value={}, input_type=dict]",
        TOOL,
        C.INVALID_TOOL_ARGUMENTS,
    ),
    (
        "Error when executing tool page_down with arguments {'': {}}: TypeError: PageDownTool."
        "forward() got an unexpected keyword argument ''",
        AGENT,
        C.INVALID_TOOL_ARGUMENTS,
    ),
    (
        "TypeError: search() missing 1 required positional argument: 'query'",
        TOOL,
        C.INVALID_TOOL_ARGUMENTS,
    ),
    ("Failed to parse tool call arguments as JSON", MODEL, C.INVALID_TOOL_ARGUMENTS),
    # --- code the agent runs
    (
        'Traceback (most recent call last):\n  File "agent.py", line 3, in <module>\n'
        "ZeroDivisionError: division by zero",
        AGENT,
        C.CODE_ERROR,
    ),
    (
        "Code execution failed at line 'result = web_search(query)' due to: InterpreterError: "
        "Forbidden function evaluation: 'open'",
        AGENT,
        C.CODE_ERROR,
    ),
    ("AttributeError: 'NoneType' object has no attribute 'get'", TOOL, C.CODE_ERROR),
    ("KeyError: 'invoice_id'", TOOL, C.CODE_ERROR),
    ("TypeError: Cannot read properties of undefined (reading 'id')", TOOL, C.CODE_ERROR),
    ("RecursionError: maximum recursion depth exceeded", TOOL, C.CODE_ERROR),
    ("Error in code parsing: the code blob is invalid", AGENT, C.CODE_ERROR),
    # --- limits
    ("Reached max steps.", AGENT, C.LIMIT),
    ("MaxTurnsExceeded: Max turns (10) exceeded", None, C.LIMIT),
    ("Recursion limit of 25 reached without hitting a stop condition.", None, C.LIMIT),
    ("UsageLimitExceeded: The next request would exceed the request_limit of 50", None, C.LIMIT),
    # --- nothing in particular
    ("Customer not eligible for refund", TOOL, C.OTHER),
    ("HTTP 404", TOOL, C.OTHER),  # a missing record, not a model
    ("order has 401 items", TOOL, C.OTHER),
]


@pytest.mark.parametrize(("text", "kind", "expected"), REAL_WORLD, ids=lambda v: str(v)[:50])
def test_real_world_errors(text: str, kind: StepKind | None, expected: ErrorClass) -> None:
    assert classify_error(text, step_kind=kind) == expected


def test_the_first_step_failing_reads_as_invalid_input_unless_a_service_says_otherwise() -> None:
    bad = '{"type":"error","error":{"type":"invalid_request_error","message":"messages: text content blocks must be non-empty"}}'  # noqa: E501
    assert classify_error(bad, step_kind=MODEL, first_step=True) == C.INVALID_INPUT
    assert classify_error("KeyError: 'invoice'", step_kind=TOOL, first_step=True) == (
        C.INVALID_INPUT
    )
    assert classify_error("KeyError: 'invoice'", step_kind=TOOL) == C.CODE_ERROR
    assert classify_error("HTTP 401", step_kind=TOOL, first_step=True) == C.AUTH
    assert classify_error("404 model not found", step_kind=MODEL, first_step=True) == (
        C.MODEL_NOT_FOUND
    )
    assert classify_error("could not parse the pdf: EOF marker not found") == C.INVALID_INPUT


def test_failure_kind_names_a_class_when_the_text_does_not() -> None:
    assert classify_error("boom", failure_kind="max_steps") == C.LIMIT
    assert classify_error(None, failure_kind="content_too_large") == C.CONTEXT_OVERFLOW
    assert classify_error("boom", failure_kind="connection_unresolved") == C.AUTH
    assert classify_error("boom", failure_kind="tool_error") == C.OTHER
    # the text naming a service answer wins over the kind
    assert classify_error("HTTP 429", failure_kind="max_steps") == C.RATE_LIMIT


def test_empty_errors() -> None:
    assert classify_error(None) == C.OTHER
    assert classify_error("  ") == C.OTHER
    assert classify_error(None, first_step=True) == C.INVALID_INPUT
    assert classify_error(None, step_kind=AGENT) == C.CODE_ERROR


def _job(status: JobStatus = JobStatus.FAILED, **fields: Any) -> Job:
    at = datetime(2026, 3, 9, tzinfo=UTC)
    return Job(
        id=1, team_id=1, assignment_id=1, status=status, source=Source.API, created_at=at, **fields
    )


def _step(seq: int, kind: StepKind, error: str | None = None) -> Step:
    status = StepStatus.ERROR if error else StepStatus.OK
    return Step(job_id=1, seq=seq, kind=kind, name=f"s{seq}", status=status, error=error)


def test_jobs_are_classified_by_the_step_where_they_ended() -> None:
    steps = [_step(1, MODEL), _step(2, TOOL, "HTTP 401"), _step(3, MODEL)]
    assert classify_job(_job(), steps) == C.AUTH
    assert classify_job(_job(JobStatus.COMPLETED), steps) is None
    # a limit failure kind decides, whatever errors the job met on the way
    assert classify_job(_job(failure_kind="max_steps"), steps) == C.LIMIT
    # a failed first step is the input's fault; no step at all as well
    assert classify_job(_job(), [_step(1, MODEL, "ValueError: bad")]) == C.INVALID_INPUT
    assert classify_job(_job(error="boom"), []) == C.INVALID_INPUT
    # the job's own error speaks when its failed step says nothing in particular
    steps = [_step(1, MODEL), _step(2, TOOL, "refused")]
    assert classify_job(_job(error="Request timed out"), steps) == C.TIMEOUT
    assert classify_job(_job(error="boom"), steps) == C.OTHER
    # every step ok, the job failed on its own error
    assert classify_job(_job(error="HTTP 503"), [_step(1, MODEL)]) == C.SERVER_ERROR


def test_classify_step_passes_position_and_failure_kind() -> None:
    step = _step(2, TOOL, "boom")
    assert classify_step(step, first=False) == C.OTHER
    assert classify_step(step, first=True) == C.INVALID_INPUT
    assert classify_step(step, first=False, failure_kind="budget_exceeded") == C.LIMIT
