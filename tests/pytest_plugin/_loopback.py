"""A tiny OpenAI-compatible server on 127.0.0.1 for recording cassettes in tests.

``POST /v1/chat/completions`` answers one ``get_weather`` call for the city named in the last
user message (``Paris`` if none), as JSON (gzip-compressed when the client accepts it, as real
servers do) or, for ``"stream": true``, as the SSE chunks OpenAI sends. Every request is kept
in ``requests`` so tests can tell whether the network was touched. ``plant`` adds values the
server echoes back (a cookie, an organisation header, a body field) to test scrubbing.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def completion(arguments: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "fctest-model",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {
                                "name": "get_weather",
                                "arguments": json.dumps(arguments),
                            },
                        }
                    ],
                },
                "finish_reason": "tool_calls",
            }
        ],
        "usage": {"prompt_tokens": 5, "completion_tokens": 5, "total_tokens": 10},
    }


def sse_body(arguments: dict[str, Any]) -> bytes:
    """What OpenAI streams for one call, split in argument fragments, then ``[DONE]``."""

    def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
        body = {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "fctest-model",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        return "data: " + json.dumps(body, separators=(",", ":"), ensure_ascii=False) + "\n\n"

    args = json.dumps(arguments, ensure_ascii=False)
    start = {
        "role": "assistant",
        "tool_calls": [
            {
                "index": 0,
                "id": "call_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": ""},
            }
        ],
    }
    parts = [chunk(start)]
    for i in range(0, len(args), 5):
        fragment = {"tool_calls": [{"index": 0, "function": {"arguments": args[i : i + 5]}}]}
        parts.append(chunk(fragment))
    parts.append(chunk({}, "tool_calls"))
    parts.append(": keep-alive comment\n\n")
    parts.append("data: [DONE]\n\n")
    return "".join(parts).encode("utf-8")


@dataclass
class Server:
    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    plant: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return self.url + "/v1"


def _arguments(body: dict[str, Any]) -> dict[str, Any]:
    """The call's arguments: what the conformance scenario ``single_call`` scripts when its
    marker is in the prompt, else the city named in the last user message."""
    if "[fctest:single_call]" in json.dumps(body.get("messages", [])):
        return {"city": "Paris", "unit": "celsius"}
    return {"city": _city(body)}


def _city(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages", [])):
        if message.get("role") == "user":
            found = re.search(r"in ([^\s?,.]+)", str(message.get("content")))
            if found:
                return found.group(1)
    return "Paris"


@contextmanager
def running() -> Iterator[Server]:
    state = Server()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length", "0")))
            body = json.loads(raw or b"{}")
            state.requests.append(
                {
                    "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body,
                }
            )
            arguments = _arguments(body)
            extra = dict(state.plant)
            if body.get("stream"):
                payload = sse_body(arguments)
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
            else:
                data = completion(arguments)
                if "echo" in extra:
                    data["echo"] = extra["echo"]
                payload = json.dumps(data, indent=2).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                if "gzip" in self.headers.get("accept-encoding", ""):
                    payload = gzip.compress(payload)
                    self.send_header("content-encoding", "gzip")
            for name in ("set-cookie", "openai-organization", "openai-project"):
                if name in extra:
                    self.send_header(name, extra[name])
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
