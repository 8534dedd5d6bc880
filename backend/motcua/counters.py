"""The counters behind ``/metrics`` that any package may move (``motcua.telemetry`` serves them).

They live in the lowest layer so that the sync push and the sign-in, far below the
telemetry package, can count without importing it. Under ``motcua serve --workers N``
the command sets ``PROMETHEUS_MULTIPROC_DIR`` before the worker processes start, and each
process writes its counts to a file there that ``/metrics`` sums (see docs/operations.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import Counter, Histogram, disable_created_metrics

# A ``*_created`` series beside each counter doubles the output for nothing Prometheus uses.
disable_created_metrics()  # type: ignore[no-untyped-call]

REQUESTS = Counter(
    "motcua_http_requests",
    "HTTP requests answered, by method, route template and status code.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "motcua_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by method and route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0),
)
SYNC_RECORDS = Counter(
    "motcua_sync_records",
    "Records phones pushed, by kind and outcome (applied, duplicate, held, conflict, rejected).",
    ["kind", "outcome"],
)
SIGN_IN_FAILURES = Counter(
    "motcua_sign_in_failures",
    "Failed sign-ins, by reason: unknown_number, wrong_password, disabled, slowed_down.",
    ["reason"],
)


def count_sync_outcomes(outcomes: Iterable[tuple[str, str]]) -> None:
    """One (kind, outcome) per record of a pushed batch."""
    for kind, outcome in outcomes:
        SYNC_RECORDS.labels(kind, outcome).inc()


def count_sign_in_failure(reason: str) -> None:
    SIGN_IN_FAILURES.labels(reason).inc()
