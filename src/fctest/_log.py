"""Observability: stdlib ``logging`` events and an optional callback, with secrets scrubbed.

Every event goes to the ``fctest`` logger with its fields in ``extra=`` (so a JSON formatter
gets them as record attributes) and, when the client was given one, to ``on_event(name,
fields)``. The events:

=====================  =======  ==========================================================
``request``            DEBUG    provider, model, method, url, stream, attempt
``response``           DEBUG    provider, model, status, attempt, duration_ms
``retry``              INFO     provider, model, attempt, delay, error, status
``gave_up``            WARNING  provider, model, attempts, error, status, duration_ms
``tool``               DEBUG    tool, call_id, step, duration_ms, is_error, error
=====================  =======  ==========================================================

Fields never hold headers or bodies; URLs have credential query parameters redacted, and every
text field has the client's own secrets (keys, tokens) replaced by ``<redacted>`` before it
leaves, so a provider that echoes a key back cannot leak it into a log either. Nothing is built
when no handler would see the event.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from ._secrets import MIN_SECRET, REDACTED

__all__ = ["EventCallback", "Events", "logger", "scrub"]

logger = logging.getLogger("fctest")

EventCallback = Callable[[str, dict[str, Any]], None]


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret replaced by ``<redacted>``."""
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, REDACTED)
    return text


class Events:
    """Sends one client's events to the logger and its callback."""

    __slots__ = ("callback", "secrets")

    def __init__(self, callback: EventCallback | None = None, secrets: Iterable[str] = ()) -> None:
        self.callback = callback
        self.secrets = tuple(s for s in secrets if isinstance(s, str) and len(s) >= MIN_SECRET)

    def enabled(self, level: int) -> bool:
        return self.callback is not None or logger.isEnabledFor(level)

    def emit(self, level: int, event: str, message: str, **fields: Any) -> None:
        """Log ``message`` (``%``-free text) with ``fields``; call the callback with them."""
        if self.secrets:
            message = scrub(message, self.secrets)
            for key, value in fields.items():
                if isinstance(value, str):
                    fields[key] = scrub(value, self.secrets)
        fields["event"] = event
        if logger.isEnabledFor(level):
            logger.log(level, "%s", message, extra=fields)
        if self.callback is not None:
            self.callback(event, dict(fields))
