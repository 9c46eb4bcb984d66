"""Observability: stdlib ``logging`` events and optional callbacks, with secrets scrubbed.

Every event goes to a logger with its fields in ``extra=`` (so a JSON formatter gets them as
record attributes) and to each ``on_event(name, fields)`` callback the client was given. The
diagnostic events go to the ``fctest`` logger:

=====================  =======  ==========================================================
``request``            DEBUG    provider, model, method, url, stream, attempt
``response``           DEBUG    provider, model, status, attempt, duration_ms
``retry``              INFO     provider, model, attempt, delay, error, status
``gave_up``            WARNING  provider, model, attempts, error, status, duration_ms
=====================  =======  ==========================================================

The audit trail goes to ``fctest.audit`` at INFO: one record per model call and one per tool
call, plus the start and end of each run (``fctest._audit`` builds them):

=====================  ===================================================================
``run_started``        run_id, provider, model, tools
``model_call``         run_id, step, provider, model, stream, attempts, status, outcome,
                       error, duration_ms, finish_reason, tool_calls, input_tokens,
                       output_tokens
``tool_call``          run_id, step, provider, model, tool, call_id, owner, version,
                       arguments_digest, arguments (opt-in), outcome, error, duration_ms,
                       approver, decision
``run_finished``       run_id, provider, model, outcome, steps, tool_calls, error,
                       duration_ms
=====================  ===================================================================

Fields never hold headers or bodies; URLs have credential query parameters redacted, and every
text field has the client's own secrets (keys, tokens) replaced by ``<redacted>`` before it
leaves, so a provider that echoes a key back cannot leak it into a log either. Nothing is built
when no handler would see the event.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ._exceptions import UsageError
from ._secrets import MIN_SECRET, REDACTED

__all__ = ["AUDIT", "EventCallback", "Events", "audit_logger", "logger", "scrub"]

logger = logging.getLogger("fctest")
audit_logger = logging.getLogger("fctest.audit")

AUDIT = logging.INFO
"""The level of audit records."""

EventCallback = Callable[[str, dict[str, Any]], None]


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret replaced by ``<redacted>``."""
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, REDACTED)
    return text


def _callbacks(
    on_event: EventCallback | Sequence[EventCallback] | None,
) -> tuple[EventCallback, ...]:
    if on_event is None:
        return ()
    found = (on_event,) if callable(on_event) else tuple(on_event)
    for callback in found:
        if not callable(callback):
            raise UsageError(f"on_event takes a callable or a list of them, got {callback!r}")
    return found


class Events:
    """Sends one client's events to the loggers and its callbacks."""

    __slots__ = ("audit_arguments", "callbacks", "secrets")

    def __init__(
        self,
        callback: EventCallback | Sequence[EventCallback] | None = None,
        secrets: Iterable[str] = (),
        *,
        audit_arguments: bool = False,
    ) -> None:
        self.callbacks = _callbacks(callback)
        self.secrets = tuple(s for s in secrets if isinstance(s, str) and len(s) >= MIN_SECRET)
        if not isinstance(audit_arguments, bool):
            raise UsageError(f"audit_arguments must be True or False, got {audit_arguments!r}")
        self.audit_arguments = audit_arguments

    def enabled(self, level: int, log: logging.Logger = logger) -> bool:
        return bool(self.callbacks) or log.isEnabledFor(level)

    def emit(
        self, level: int, event: str, message: str, log: logging.Logger = logger, **fields: Any
    ) -> None:
        """Log ``message`` (``%``-free text) with ``fields``; call the callbacks with them."""
        if self.secrets:
            message = scrub(message, self.secrets)
            for key, value in fields.items():
                if isinstance(value, str):
                    fields[key] = scrub(value, self.secrets)
        fields["event"] = event
        if log.isEnabledFor(level):
            log.log(level, "%s", message, extra=fields)
        for callback in self.callbacks:
            callback(event, dict(fields))

    def auditing(self) -> bool:
        return self.enabled(AUDIT, audit_logger)

    def audit(self, event: str, message: str, **fields: Any) -> None:
        """An audit record (the caller checked ``auditing()``)."""
        self.emit(AUDIT, event, message, audit_logger, **fields)
