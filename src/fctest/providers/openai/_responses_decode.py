"""The OpenAI Responses API, decoding direction: ``Response`` objects and the typed SSE stream.

See ``_responses_request`` for the wire docs. A decoded ``Response.opaque`` holds every output
item, in order, so the history encoder can replay reasoning items with what followed them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Mapping
from dataclasses import replace
from typing import Any, Final

from ..._exceptions import ProtocolError, ProviderError
from ..._messages import ProviderPart, Response, ToolCall
from ..._sse import SSEEvent
from ..._types import FinishReason, JSONObject
from .._assembly import SSEStreamDecoder, make_call
from ._decode import in_band_error, parse_usage

__all__ = [
    "ResponsesStreamDecoder",
    "decode_response",
    "failed_error",
    "message_text",
    "output_texts",
]

# incomplete_details.reason (openai-python types/responses/response.py IncompleteDetails).
_INCOMPLETE: Final[Mapping[str, FinishReason]] = {
    "max_output_tokens": "length",
    "content_filter": "content_filter",
}


def decode_response(
    provider: str,
    data: JSONObject,
    restore: Callable[[ToolCall], ToolCall] | None,
    *,
    body: str | Callable[[], str] = "",
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A parsed ``Response`` object (a 2xx body, or a stream's final snapshot).

    ``body`` (the text, or a callable giving it) is only read to fill an error.
    """
    status = data.get("status")
    if status == "failed" or (status is None and isinstance(data.get("error"), dict)):
        # A failed response, or an error envelope sent with a 2xx status.
        raise failed_error(provider, data, body if isinstance(body, str) else body(), headers)
    output = data.get("output")
    items = [i for i in output if isinstance(i, dict)] if isinstance(output, list) else []
    calls: list[ToolCall] = []
    texts: list[str] = []
    cut = _is_cut(data)
    for item in items:
        kind = item.get("type")
        if kind == "function_call":
            call = _parse_call(provider, item, cut=cut and item.get("status") != "completed")
            calls.append(restore(call) if restore is not None else call)
        elif kind == "message":
            texts.extend(output_texts(item))
    reason, raw = _finish_reason(data, bool(calls))
    return Response(
        provider=provider,
        model=_str(data.get("model")),
        text="".join(texts) if texts else None,
        tool_calls=tuple(calls),
        finish_reason=reason,
        raw_finish_reason=raw,
        usage=parse_usage(data.get("usage")),
        id=data.get("id") if isinstance(data.get("id"), str) else None,
        opaque=tuple(ProviderPart(provider, i) for i in items),
    )


def _parse_call(provider: str, item: JSONObject, *, cut: bool) -> ToolCall:
    """A ``function_call`` item: ``call_id`` is the neutral id (results refer to it:
    docs/dialects.md#ids-responses-two); the ``fc_`` item id is kept opaque. A call cut off by
    ``max_output_tokens`` is not parsed (docs/dialects.md#finish-responses): its text is kept and
    it is marked malformed."""
    item_id = item.get("id")
    call_id = item.get("call_id") or item_id
    opaque = ProviderPart(provider, {"id": item_id}) if isinstance(item_id, str) else None
    arguments = item.get("arguments")
    if cut:
        raw = arguments if isinstance(arguments, str) else None
        return ToolCall(_str(call_id), _str(item.get("name")), {}, raw, True, opaque)
    return make_call(_str(call_id), _str(item.get("name")), arguments, opaque)


def failed_error(
    provider: str, data: JSONObject, body: str, headers: Mapping[str, str] | None
) -> ProviderError:
    """``status: "failed"``: the ``error`` object says why (openai-python ResponseError)."""
    error = data.get("error")
    if not isinstance(error, dict):
        error = {"message": "the response failed without an error object"}
    return in_band_error(provider, error, body=body, headers=headers)


class ResponsesStreamDecoder(SSEStreamDecoder):
    """Decodes a Responses SSE stream (``"stream": true``) fed in pieces of any size.

    Events used (openai-openapi ResponseStreamEvent; openai-python ``ResponseStreamState``):
    ``response.created``/``in_progress`` (id, model), ``response.output_item.added`` (a call starts:
    its ``call_id`` and name), ``response.function_call_arguments.delta`` (fragments, keyed by
    ``item_id``), ``response.function_call_arguments.done`` and ``response.output_item.done`` (the
    whole arguments: they replace the fragments; docs/dialects.md#stream-responses),
    ``response.output_text.delta``/``.done``, then ``response.completed`` or ``response.incomplete``
    (status, usage, the final output). ``error`` events and ``response.failed`` raise the matching
    ``ProviderError`` (docs/dialects.md#inband-responses). Anything else (reasoning summaries,
    content-part bookkeeping) is skipped.
    """

    __slots__ = (
        "_closed",
        "_cut",
        "_done_items",
        "_finished",
        "_keys",
        "_provider",
        "_started",
        "_text_parts",
    )

    def __init__(
        self, provider: str, restore: Callable[[ToolCall], ToolCall] | None = None
    ) -> None:
        super().__init__(provider, restore)
        self._provider = provider
        self._keys: dict[Any, Hashable] = {}  # output_index -> assembler key
        self._started: dict[Hashable, str] = {}  # assembler key -> call id
        self._finished: set[Hashable] = set()
        self._done_items: dict[int, JSONObject] = {}
        self._text_parts: set[tuple[Any, Any]] = set()
        self._cut: set[str] = set()
        self._closed = False

    def _finish(self) -> Response:
        response = self._asm.build()
        if self._cut:
            response = replace(
                response,
                tool_calls=tuple(
                    ToolCall(c.id, c.name, {}, c.raw_arguments, True, c.opaque)
                    if c.id in self._cut
                    else c
                    for c in response.tool_calls
                ),
            )
        return response

    # --- one event -----------------------------------------------------------------------------
    def _handle(self, event: SSEEvent) -> None:
        if self._closed or event.data == "[DONE]":
            return
        try:
            data = json.loads(event.data)
        except ValueError:
            raise ProtocolError(
                self._provider, f"stream event is not JSON: {event.data[:200]!r}", body=event.data
            ) from None
        if not isinstance(data, dict):
            raise ProtocolError(
                self._provider, "stream event is not a JSON object", body=event.data
            )
        kind = data.get("type") or event.event
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(self, data, event.data)
        elif isinstance(data.get("error"), dict):
            # An untyped {"error": {...}} chunk (docs/dialects.md#inband-openai-sdk).
            self._on_error(data, event.data)

    def _on_created(self, data: JSONObject, raw: str) -> None:
        response = data.get("response")
        if isinstance(response, dict):
            self._take_identity(response)

    def _on_item_added(self, data: JSONObject, raw: str) -> None:
        item = data.get("item")
        if not isinstance(item, dict) or item.get("type") != "function_call":
            return
        key = self._key(item, data.get("output_index"))
        if key in self._started:
            return
        self._start(key, item)
        arguments = item.get("arguments")
        if isinstance(arguments, str) and arguments:
            self._asm.call_arguments(key, arguments)

    def _on_arguments_delta(self, data: JSONObject, raw: str) -> None:
        key = self._find(data)
        delta = data.get("delta")
        if isinstance(delta, str):
            self._asm.call_arguments(key, delta)

    def _on_arguments_done(self, data: JSONObject, raw: str) -> None:
        key = self._find(data)
        arguments = data.get("arguments")
        if isinstance(arguments, str):
            self._asm.set_arguments(key, arguments)
        name = data.get("name")
        if isinstance(name, str) and name:
            self._asm.update_call(key, name=name)

    def _on_item_done(self, data: JSONObject, raw: str) -> None:
        item = data.get("item")
        if not isinstance(item, dict):
            return
        index = data.get("output_index")
        if isinstance(index, int):
            self._done_items[index] = item
        if item.get("type") == "function_call":
            key = self._key(item, index)
            if key not in self._started:
                self._start(key, item)
            elif key in self._finished:
                return  # a repeated done event
            self._complete(key, item)

    def _on_text_delta(self, data: JSONObject, raw: str) -> None:
        delta = data.get("delta")
        if isinstance(delta, str):
            self._text_parts.add((data.get("output_index"), data.get("content_index")))
            self._asm.text(delta)

    def _on_text_done(self, data: JSONObject, raw: str) -> None:
        part = (data.get("output_index"), data.get("content_index"))
        text = data.get("text")
        if part not in self._text_parts and isinstance(text, str):
            # A server that sends the whole text only in .done (no deltas).
            self._text_parts.add(part)
            self._asm.text(text)

    def _on_finished(self, data: JSONObject, raw: str) -> None:
        """``response.completed`` / ``response.incomplete``: the final snapshot."""
        response = data.get("response")
        if not isinstance(response, dict):
            raise ProtocolError(self._provider, f"{data.get('type')} without a response", body=raw)
        if response.get("status") == "failed":
            raise failed_error(self._provider, response, raw, None)
        self._take_identity(response)
        output = response.get("output")
        final = [i for i in output if isinstance(i, dict)] if isinstance(output, list) else []
        # The SDK rebuilds a missing final output from the items it saw (openai-python
        # ResponseStreamState "Recover finalized items"); so do we.
        items = final or [self._done_items[i] for i in sorted(self._done_items)]
        # The snapshot is the authority too: it finishes calls whose done event never came,
        # and brings items only it holds (a server that skips the per-item events).
        for index, item in enumerate(final):
            kind = item.get("type")
            if kind == "function_call":
                key = self._key(item, index)
                if key not in self._started:
                    self._start(key, item)
                if key not in self._finished:
                    self._complete(key, item)
            elif kind == "message":
                for j, text in enumerate(output_texts(item)):
                    if (index, j) not in self._text_parts and text:
                        self._text_parts.add((index, j))
                        self._asm.text(text)
        if _is_cut(response):
            self._cut.update(
                _str(i.get("call_id") or i.get("id"))
                for i in items
                if i.get("type") == "function_call" and i.get("status") != "completed"
            )
            # Calls still open when the output was cut off (no done event, not in the snapshot).
            self._cut.update(cid for k, cid in self._started.items() if k not in self._finished)
        self._asm.usage = parse_usage(response.get("usage"))
        self._asm.opaque = [ProviderPart(self._provider, i) for i in items]
        reason, raw_reason = _finish_reason(response, self._asm.call_count > 0)
        self._asm.finish(reason, raw_reason)
        self._closed = True

    def _on_failed(self, data: JSONObject, raw: str) -> None:
        response = data.get("response")
        raise failed_error(
            self._provider, response if isinstance(response, dict) else {}, raw, None
        )

    def _on_error(self, data: JSONObject, raw: str) -> None:
        # Two shapes: the spec's flat ResponseErrorEvent {type: "error", code, message, param}
        # and, as recorded, {type: "error", error: {type, code, message, param}}
        # (docs/dialects.md#inband-responses).
        error = data.get("error")
        if not isinstance(error, dict):
            error = {k: v for k, v in data.items() if k not in ("type", "sequence_number")}
        raise in_band_error(self._provider, error, body=raw)

    # --- bookkeeping ---------------------------------------------------------------------------
    def _take_identity(self, response: JSONObject) -> None:
        if isinstance(response.get("id"), str):
            self._asm.id = response["id"]
        if isinstance(response.get("model"), str):
            self._asm.model = response["model"]

    def _key(self, item: JSONObject, index: Any) -> Hashable:
        """Calls are keyed by item id (what delta events carry), else by output position."""
        item_id = item.get("id")
        key: Hashable = item_id if isinstance(item_id, str) and item_id else ("output", index)
        if index is not None:
            self._keys[index] = key
        return key

    def _find(self, data: JSONObject) -> Hashable:
        item_id = data.get("item_id")
        if isinstance(item_id, str) and self._asm.has_call(item_id):
            return item_id
        key = self._keys.get(data.get("output_index"))
        if key is None:
            raise ProtocolError(
                self._provider,
                f"{data.get('type')} for item {item_id!r} that was never added",
                body=json.dumps(data)[:2000],
            )
        return key

    def _start(self, key: Hashable, item: JSONObject) -> None:
        item_id = item.get("id")
        opaque = ProviderPart(self._provider, {"id": item_id}) if isinstance(item_id, str) else None
        call_id = _str(item.get("call_id") or item_id)
        self._started[key] = call_id
        self._asm.start_call(key, call_id, _str(item.get("name")), opaque)

    def _complete(self, key: Hashable, item: JSONObject) -> None:
        """The finished item is the authority: its arguments replace the fragments."""
        call_id = item.get("call_id")
        name = item.get("name")
        self._asm.update_call(
            key,
            id=call_id if isinstance(call_id, str) else None,
            name=name if isinstance(name, str) else None,
        )
        if isinstance(call_id, str) and call_id:
            self._started[key] = call_id
        arguments = item.get("arguments")
        if isinstance(arguments, str):
            self._asm.set_arguments(key, arguments)
        self._finished.add(key)
        self._asm.finish_call(key)


_HANDLERS: Final = {
    "response.created": ResponsesStreamDecoder._on_created,
    "response.in_progress": ResponsesStreamDecoder._on_created,
    "response.queued": ResponsesStreamDecoder._on_created,
    "response.output_item.added": ResponsesStreamDecoder._on_item_added,
    "response.function_call_arguments.delta": ResponsesStreamDecoder._on_arguments_delta,
    "response.function_call_arguments.done": ResponsesStreamDecoder._on_arguments_done,
    "response.output_item.done": ResponsesStreamDecoder._on_item_done,
    "response.output_text.delta": ResponsesStreamDecoder._on_text_delta,
    "response.output_text.done": ResponsesStreamDecoder._on_text_done,
    "response.completed": ResponsesStreamDecoder._on_finished,
    "response.incomplete": ResponsesStreamDecoder._on_finished,
    "response.failed": ResponsesStreamDecoder._on_failed,
    "error": ResponsesStreamDecoder._on_error,
}


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def output_texts(item: JSONObject) -> list[str]:
    """The ``output_text`` parts of a message item (what the SDK's ``output_text`` joins;
    ``refusal`` parts are not text)."""
    content = item.get("content")
    if not isinstance(content, list):
        return []
    return [
        part["text"]
        for part in content
        if isinstance(part, dict)
        and part.get("type") == "output_text"
        and isinstance(part.get("text"), str)
    ]


def message_text(items: list[JSONObject]) -> str:
    return "".join(t for item in items for t in output_texts(item))


def _is_cut(data: JSONObject) -> bool:
    details = data.get("incomplete_details")
    return (
        data.get("status") == "incomplete"
        and isinstance(details, dict)
        and details.get("reason") == "max_output_tokens"
    )


def _finish_reason(data: JSONObject, has_calls: bool) -> tuple[FinishReason, str | None]:
    """Neutral finish reason from ``status`` + ``incomplete_details.reason`` + whether the
    output holds ``function_call`` items (docs/dialects.md#finish-responses)."""
    status = data.get("status")
    if status == "incomplete":
        details = data.get("incomplete_details")
        reason = details.get("reason") if isinstance(details, dict) else None
        if isinstance(reason, str):
            return _INCOMPLETE.get(reason, "other"), f"incomplete:{reason}"
        return "other", "incomplete"
    if status == "completed" or status is None:
        return ("tool_calls" if has_calls else "stop"), status
    return "other", _str(status) or None
