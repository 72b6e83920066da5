"""FastAPI: REST under /api/v1, OTLP at /v1/traces, /metrics, /healthz. Not built yet."""
