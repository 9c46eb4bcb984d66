"""The audit trail: one record per model call and per tool call, and a JSON-lines sink.

Records are events (``fctest._log``: the ``fctest.audit`` logger and every ``on_event``
callback), built only when something listens. A tool call's arguments are recorded as a digest
(SHA-256 of their canonical JSON, so two records of the same call compare equal without the
values being kept); the values themselves only when the client was built with
``audit_arguments=True``, and then with the cassette scrubber's nets applied (secret-named
fields, published key shapes, the client's own keys: ``fctest._cassettes``).

``JsonLinesSink`` is an ``on_event`` callback that appends each record as one JSON line, safe
to share between threads and clients.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import IO, Any

from ._exceptions import UsageError
from ._log import Events
from ._messages import Response, ToolCall

__all__ = ["JsonLinesSink", "digest", "model_call_fields", "recorded_arguments"]

AUDIT_EVENTS = frozenset({"run_started", "model_call", "tool_call", "run_finished"})


def digest(arguments: Any) -> str:
    """``sha256:<hex>`` of the arguments' canonical JSON."""
    text = json.dumps(
        arguments, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def recorded_arguments(call: ToolCall, events: Events) -> dict[str, Any]:
    """The argument fields of a ``tool_call`` record: the digest, and the values if opted in."""
    try:
        fields: dict[str, Any] = {"arguments_digest": digest(call.arguments)}
    except (RecursionError, ValueError):  # nested too deeply to serialise
        return {"arguments_digest": None}
    if events.audit_arguments:
        from ._cassettes import Secrets, scrub_json

        fields["arguments"] = scrub_json(call.arguments, Secrets(events.secrets))
    return fields


def model_call_fields(response: Response | None) -> dict[str, Any]:
    """What a ``model_call`` record says about the answer."""
    if response is None:
        return {"finish_reason": None, "tool_calls": 0, "input_tokens": None, "output_tokens": None}
    usage = response.usage
    return {
        "finish_reason": response.finish_reason,
        "tool_calls": len(response.tool_calls),
        "input_tokens": None if usage is None else usage.input_tokens,
        "output_tokens": None if usage is None else usage.output_tokens,
    }


class JsonLinesSink:
    """An ``on_event`` callback writing audit records as JSON lines to a file or stream.

    ``JsonLinesSink("audit.jsonl")`` appends (the file is opened per sink and flushed after
    every line, so a crash loses nothing written); ``JsonLinesSink(stream)`` writes to an open
    text stream you own. ``events`` picks which events are written (the audit records by
    default; ``None`` for all).
    """

    def __init__(
        self,
        target: str | os.PathLike[str] | IO[str],
        *,
        events: frozenset[str] | set[str] | None = AUDIT_EVENTS,
    ) -> None:
        self._lock = threading.Lock()
        self._owned = isinstance(target, (str, os.PathLike))
        if isinstance(target, (str, os.PathLike)):
            self._stream: IO[str] = Path(target).open("a", encoding="utf-8")  # noqa: SIM115
        elif hasattr(target, "write"):
            self._stream = target
        else:
            raise UsageError(f"JsonLinesSink takes a path or a text stream, got {target!r}")
        self._events = None if events is None else frozenset(events)

    def __call__(self, event: str, fields: dict[str, Any]) -> None:
        if self._events is not None and event not in self._events:
            return
        line = json.dumps(fields, ensure_ascii=False, separators=(",", ":"), default=str)
        with self._lock:
            self._stream.write(line + "\n")
            self._stream.flush()

    def close(self) -> None:
        """Close the file (a stream you passed in stays open)."""
        if self._owned:
            self._stream.close()

    def __enter__(self) -> JsonLinesSink:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
