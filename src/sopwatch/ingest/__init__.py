"""Runs from outside: importers for files (tau, tau2, openinference, jsonl) and, later, OTLP."""
