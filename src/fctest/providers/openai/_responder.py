"""What the Chat and Responses responders share: the calls as a model sends them, stable ids,
the fixed ``created`` time and the OpenAI error envelope.

Nothing here parses a provider's answer, and nothing reads a clock or a random source: the
same ``Response`` always gives the same bytes (``created`` is fixed, ids missing from the
``Response`` are derived from its content). Framing, cutting and digests common to every
provider's responder are in ``providers._encoding``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from ..._messages import Response, ToolCall
from ..._types import JSONObject
from ..._wire import HttpResponse
from ...dialect import Fitting
from .._encoding import check_error_status, response_digest, retry_after_header, sse_event
from .._responder import Responder
from ._request import OpenAIDialectAdapter

__all__ = [
    "CREATED",
    "OpenAIDialectResponder",
    "WireCall",
    "derive_id",
    "error_response",
    "openai_error",
    "sse_data",
    "wire_calls",
]

CREATED: Final = 1_767_225_600
"""The fixed ``created`` / ``created_at`` of every encoded answer (2026-01-01T00:00:00Z): a
clock would make the same response encode to different bytes."""

# OpenAI error ``type`` and ``code`` by status: ``invalid_request_error`` for the caller's
# mistakes (401 ``invalid_api_key`` and 404 ``model_not_found`` as recorded:
# docs/dialects.md#errors-openai; the 403 row is unconfirmed), ``tokens`` +
# ``rate_limit_exceeded`` for a 429 (docs/dialects.md#errors-openai-429), ``server_error`` for
# 5xx (openai-openapi ErrorResponse).
_ERROR_TYPES: Final[Mapping[int, tuple[str, str | None]]] = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("invalid_request_error", None),
    404: ("invalid_request_error", "model_not_found"),
    429: ("tokens", "rate_limit_exceeded"),
}


@dataclass(frozen=True, slots=True)
class WireCall:
    """One call as the provider would send it: wire name and argument text; ``call`` is the
    neutral call it came from (the Responses encoder reads its ``fc_`` id and ``malformed``)."""

    id: str
    name: str
    arguments: str
    call: ToolCall


def wire_calls(fitting: Fitting | None, response: Response) -> list[WireCall]:
    """The calls of ``response`` as the model would send them to the request ``fitting``
    was made for.

    A call to a tool that was renamed for the wire carries the wire name, and under OpenAI
    strict mode (optional properties sent required-and-nullable, ``make_strict``) the omitted
    optional properties are sent as ``null``, as a constrained model does; decoding with the
    same request maps both back. A call that kept its provider text (``raw_arguments``,
    malformed or not) is sent with that text unchanged.
    """
    out = []
    for call in response.tool_calls:
        name = call.name if fitting is None else fitting.names.get(call.name, call.name)
        if call.raw_arguments is not None:
            text = call.raw_arguments
        else:
            arguments = call.arguments if fitting is None else fitting.wire_arguments(call)
            text = json.dumps(arguments, ensure_ascii=False, separators=(",", ":"))
        out.append(WireCall(call.id, name, text, call))
    return out


def derive_id(prefix: str, response: Response, size: int) -> str:
    """A stable id for an answer that has none: ``prefix`` + ``size`` hex characters of a digest
    of the response's content."""
    return prefix + response_digest(response)[:size]


def sse_data(obj: Any) -> bytes:
    """One ``data:`` SSE event holding ``obj`` as compact JSON."""
    return sse_event(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))


def openai_error(status: int, message: str) -> JSONObject:
    """``{"error": {message, type, param, code}}`` (openai-openapi ErrorResponse)."""
    kind, code = _ERROR_TYPES.get(
        status, ("server_error" if status >= 500 else "invalid_request_error", None)
    )
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def error_response(
    provider: str,
    status: int,
    body: Any,
    *,
    retry_after: float | None = None,
    retry_headers: tuple[str, ...] = ("retry-after",),
) -> HttpResponse:
    """A JSON error answer. ``retry_after`` goes in each of ``retry_headers`` (the profile's):
    ``retry-after`` in seconds (``_encoding``), ``retry-after-ms`` in milliseconds (read first
    by openai-python ``_base_client.py``)."""
    check_error_status(provider, status)
    headers = {"content-type": "application/json"}
    if retry_after is not None:
        seconds = retry_after_header(retry_after)  # checks the value
        for name in retry_headers:
            headers[name] = str(round(retry_after * 1000)) if name == "retry-after-ms" else seconds
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return HttpResponse(status, headers, data)


A = TypeVar("A", bound=OpenAIDialectAdapter)


class OpenAIDialectResponder(Responder[A]):
    """What the Chat and Responses responders share: the error answer. Vendors change the
    body's shape with ``error_body``; the retry headers are the profile's."""

    def encode_error(
        self, status: int, message: str, *, retry_after: float | None = None
    ) -> HttpResponse:
        return error_response(
            self.name,
            status,
            self.error_body(status, message),
            retry_after=retry_after,
            retry_headers=self.profile.retry_headers,
        )

    def error_body(self, status: int, message: str) -> JSONObject:
        """This provider's error body for ``status`` (default: OpenAI's envelope)."""
        return openai_error(status, message)
