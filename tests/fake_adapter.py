"""A tiny adapter with its own JSON wire format, for testing the client without a real provider.

Request body: ``{"model", "messages": [...], "tools": [names], "tool_choice", "stream"}``.
Response body: ``{"text", "calls": [{"id", "name", "arguments"}], "finish"}`` where
``arguments`` is a JSON string (as OpenAI sends it). Streams are NDJSON lines of
``{"text"}``, ``{"call"}`` and ``{"finish"}``. Errors: ``{"error": "..."}`` with any status.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fctest import HttpRequest, HttpResponse, Request, Response
from fctest._sse import LineBuffer
from fctest.dialect import Profile
from fctest.errors import ProviderError
from fctest.providers import Adapter, Config, base_url, check_config, encode_json, json_body
from fctest.providers._assembly import ResponseAssembler, make_call
from fctest.providers._errors import provider_error


class FakeAdapter(Adapter):
    name = "fake"
    profile = Profile(
        base_url="https://fake.invalid/v1",
        env={"api_key": ("FAKE_API_KEY", "FAKE_OTHER_KEY"), "base_url": ("FAKE_BASE_URL",)},
    )

    def build_request(self, request: Request, config: Config) -> HttpRequest:
        config = check_config(self, config)
        messages: list[dict[str, Any]] = []
        for m in request.messages:
            messages.append(
                {
                    "role": m.role,
                    "text": m.text,
                    "calls": [[c.id, c.name, c.arguments] for c in m.tool_calls],
                    "results": [[r.call_id, r.content, r.is_error] for r in m.tool_results],
                }
            )
        body = {
            "model": request.model,
            "messages": messages,
            "tools": [t.name for t in request.tools],
            "tool_choice": request.tool_choice,
            "stream": request.stream,
        }
        if request.output is not None:
            body["output"] = request.output.name
        headers = {"authorization": f"Bearer {config.api_key}", **config.headers}
        return HttpRequest("POST", base_url(self, config) + "/chat", headers, encode_json(body))

    def parse_response(self, response: HttpResponse, request: Request | None = None) -> Response:
        if not response.ok:
            raise self.parse_error(response)
        data = json_body(self.name, response)
        calls = tuple(make_call(c["id"], c["name"], c["arguments"]) for c in data.get("calls", ()))
        return Response(
            provider=self.name,
            model=data.get("model", "fake-model"),
            text=data.get("text"),
            tool_calls=calls,
            finish_reason="tool_calls" if calls else data.get("finish", "stop"),
            raw_finish_reason=data.get("finish"),
        )

    def stream_decoder(self, request: Request | None = None) -> FakeDecoder:
        return FakeDecoder(self.name)

    def parse_error(self, response: HttpResponse) -> ProviderError:
        try:
            message = json.loads(response.body).get("error", "")
        except ValueError:
            message = response.text()
        return provider_error(
            self.name, response.status, message, body=response.text(), headers=response.headers
        )


class FakeDecoder:
    def __init__(self, provider: str) -> None:
        self._lines = LineBuffer()
        self._asm = ResponseAssembler(provider)
        self._asm.model = "fake-model"

    def feed(self, data: bytes) -> list[Any]:
        for line in self._lines.feed(data):
            self._line(line)
        return list(self._asm.drain())

    def _line(self, line: bytes) -> None:
        if not line:
            return
        item = json.loads(line)
        if "error" in item:
            raise provider_error("fake", 200, item["error"], retryable=item.get("retryable"))
        if "text" in item:
            self._asm.text(item["text"])
        if "call" in item:
            c = item["call"]
            self._asm.whole_call(c["id"], c["id"], c["name"], c["arguments"])
        if "finish" in item:
            self._asm.finish(item["finish"], item["finish"])

    def close(self) -> Response:
        for line in self._lines.close():
            self._line(line)
        return self._asm.build()


# --- building answers ---------------------------------------------------------------------
def answer(
    text: str | None = None, calls: Sequence[tuple[str, str, Any]] = (), *, status: int = 200
) -> HttpResponse:
    """A fake-format response: ``calls`` are ``(id, name, arguments)``; dict arguments are
    encoded as a JSON string, string arguments sent as they are."""
    body = {
        "text": text,
        "calls": [
            {"id": i, "name": n, "arguments": a if isinstance(a, str) else json.dumps(a)}
            for i, n, a in calls
        ],
        "finish": "tool_calls" if calls else "stop",
    }
    return HttpResponse(status, {"content-type": "application/json"}, json.dumps(body).encode())


def stream_answer(text: str | None = None, calls: Sequence[tuple[str, str, Any]] = ()) -> bytes:
    lines: list[dict[str, Any]] = []
    if text:
        lines += [{"text": text[: len(text) // 2]}, {"text": text[len(text) // 2 :]}]
    for i, n, a in calls:
        lines.append({"call": {"id": i, "name": n, "arguments": json.dumps(a)}})
    lines.append({"finish": "tool_calls" if calls else "stop"})
    return b"".join(json.dumps(x).encode() + b"\n" for x in lines)


def error(
    status: int, message: str = "boom", headers: Mapping[str, str] | None = None
) -> HttpResponse:
    return HttpResponse(status, dict(headers or {}), json.dumps({"error": message}).encode())


def script(*answers: HttpResponse | BaseException) -> Callable[[HttpRequest], HttpResponse]:
    """A mock handler that gives the answers in order (an exception is raised)."""
    queue = list(answers)

    def handler(request: HttpRequest) -> HttpResponse:
        if not queue:
            raise AssertionError(f"unexpected request: {request!r}")
        item = queue.pop(0)
        if isinstance(item, BaseException):
            raise item
        return item

    return handler
