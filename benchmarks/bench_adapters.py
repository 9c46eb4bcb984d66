"""Benchmarks for the fctest provider adapters, checked against the project's speed targets.

Run: ``.venv/bin/python benchmarks/bench_adapters.py [--quick]``. Exits 1 if a target fails.

Targets (from the issues and the helper brief):
- parsing a typical response (two tool calls) at least 4x faster than the official SDK's own
  client-path parse of the same bytes, both timed including ``json.loads``;
- stream decoding at least 30 MB/s on a 1 MB stream of argument deltas, fed in 4 KiB chunks,
  and linear in size (MB/s at 1 MB at least 75% of MB/s at 256 KB).
A 5-tool round trip through ``fctest.Client`` + ``MockTransport`` is reported against raw
httpx + json (no target; skipped if ``fctest.Client`` is not there).

All sample bodies are built here, in each provider's wire shape (see tests/providers/test_*.py).
Times are medians over repeats of ``time.perf_counter`` loops, with the GC left on.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import fctest
from fctest import HttpResponse, Message, Request, Tool

CHUNK = 4096
STREAM_SIZES = (256 * 1024, 512 * 1024, 1024 * 1024)
PARSE_SPEEDUP = 4.0
STREAM_MBPS = 30.0
LINEARITY = 0.75

WEATHER = Tool(
    "get_weather",
    "Current weather for a city",
    {
        "type": "object",
        "properties": {"city": {"type": "string"}, "unit": {"enum": ["c", "f"]}},
        "required": ["city"],
    },
)
WRITE = Tool(
    "write_file",
    "Write a file",
    {
        "type": "object",
        "properties": {"path": {"type": "string"}, "text": {"type": "string"}},
        "required": ["path", "text"],
    },
)
REQUEST = Request(
    model="m", messages=(Message.user("Weather in Paris and Rome?"),), tools=(WEATHER, WRITE)
)
TWO_CALLS = (("get_weather", {"city": "Paris", "unit": "c"}), ("get_weather", {"city": "Rome"}))


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


# --- timing -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Row:
    section: str
    name: str
    measured: str
    target: str
    ok: bool | None  # None: informational, no target


# --- typical (non-streamed) bodies: two tool calls ------------------------------------------------
def chat_completion_body(model: str = "gpt-4o-2024-08-06") -> bytes:
    calls = [
        {
            "id": f"call_{i:024d}",
            "type": "function",
            "function": {"name": name, "arguments": json.dumps(args)},
        }
        for i, (name, args) in enumerate(TWO_CALLS)
    ]
    return dumps(
        {
            "id": "chatcmpl-AbCdEfGhIjKlMnOpQrStUvWxYz012",
            "object": "chat.completion",
            "created": 1757687263,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": calls,
                        "refusal": None,
                        "annotations": [],
                    },
                    "logprobs": None,
                    "finish_reason": "tool_calls",
                }
            ],
            "usage": {
                "prompt_tokens": 84,
                "completion_tokens": 49,
                "total_tokens": 133,
                "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                "completion_tokens_details": {
                    "reasoning_tokens": 0,
                    "audio_tokens": 0,
                    "accepted_prediction_tokens": 0,
                    "rejected_prediction_tokens": 0,
                },
            },
            "service_tier": "default",
            "system_fingerprint": "fp_07871e2ad8",
        }
    )


def responses_usage() -> dict[str, Any]:
    return {
        "input_tokens": 84,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": 49,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 133,
    }


def responses_envelope(output: list[dict[str, Any]], status: str) -> dict[str, Any]:
    return {
        "id": "resp_68c3f2a1b2c48190a1b2c3d4e5f60718",
        "object": "response",
        "created_at": 1757687263,
        "status": status,
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "max_output_tokens": None,
        "model": "gpt-4o-2024-08-06",
        "output": output,
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "reasoning": {"effort": None, "summary": None},
        "store": True,
        "temperature": 1.0,
        "text": {"format": {"type": "text"}, "verbosity": "medium"},
        "tool_choice": "auto",
        "tools": [],
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": responses_usage() if status == "completed" else None,
        "metadata": {},
    }


def function_call_item(n: int, name: str, arguments: str) -> dict[str, Any]:
    return {
        "id": f"fc_68c3f2a1b2c48190{n:016d}",
        "type": "function_call",
        "status": "completed",
        "arguments": arguments,
        "call_id": f"call_{n:024d}",
        "name": name,
    }


def responses_body() -> bytes:
    items = [function_call_item(i, n, json.dumps(a)) for i, (n, a) in enumerate(TWO_CALLS)]
    return dumps(responses_envelope(items, "completed"))


def anthropic_message(content: list[dict[str, Any]], stop: str | None) -> dict[str, Any]:
    return {
        "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": {
            "input_tokens": 412,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "output_tokens": 93,
            "service_tier": "standard",
        },
    }


def anthropic_body() -> bytes:
    content: list[dict[str, Any]] = [{"type": "text", "text": "I'll check both cities."}]
    content += [
        {"type": "tool_use", "id": f"toolu_01A09q90qw90lq917835lq9{i}", "name": n, "input": a}
        for i, (n, a) in enumerate(TWO_CALLS)
    ]
    return dumps(anthropic_message(content, "tool_use"))


def gemini_chunk(parts: list[dict[str, Any]], finish: str | None) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finish is not None:
        candidate["finishReason"] = finish
    return {
        "candidates": [candidate],
        "usageMetadata": {
            "promptTokenCount": 64,
            "candidatesTokenCount": 11,
            "totalTokenCount": 75,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 64}],
        },
        "modelVersion": "gemini-2.5-flash",
        "responseId": "6NvDaM2wLMfVz7IPxNTD-AM",
    }


def gemini_body() -> bytes:
    parts = [{"functionCall": {"name": n, "args": a}} for n, a in TWO_CALLS]
    return dumps(gemini_chunk(parts, "STOP"))


# --- streams: one tool call whose arguments arrive in many small fragments -----------------------
LOREM = "Lorem ipsum dolor sit amet, consectetur adipiscing elit sed do"


def fragments() -> Iterator[str]:
    """Token-sized pieces (3-12 chars) of ``{"path": ..., "text": "<lorem>`` without end
    (the caller stops when its stream is big enough)."""
    yield '{"path": "notes.txt", "text": "'
    words = itertools.cycle(LOREM.split())
    for w in words:
        yield " " + w


def sized(build: Callable[[Iterator[str]], Iterator[bytes]], size: int) -> bytes:
    """Run a provider stream builder on fragments until about ``size`` bytes were produced."""
    out: list[bytes] = []
    total = 0
    stop = ['"}']
    frags = fragments()

    def pieces() -> Iterator[str]:
        nonlocal total
        for f in frags:
            if total >= size - 600:  # leave room for the closing events
                break
            yield f
        yield from stop

    for event in build(pieces()):
        out.append(event)
        total += len(event)
    return b"".join(out)


def chat_stream(frags: Iterator[str]) -> Iterator[bytes]:
    def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
        body = {
            "id": "chatcmpl-AbCdEfGhIjKlMnOpQrStUvWxYz012",
            "object": "chat.completion.chunk",
            "created": 1757687263,
            "model": "gpt-4o-2024-08-06",
            "service_tier": "default",
            "system_fingerprint": "fp_07871e2ad8",
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }
        return b"data: " + dumps(body) + b"\n\n"

    first = {
        "index": 0,
        "id": "call_000000000000000000000001",
        "type": "function",
        "function": {"name": "write_file", "arguments": ""},
    }
    yield chunk({"role": "assistant", "content": None, "tool_calls": [first], "refusal": None})
    for f in frags:
        yield chunk({"tool_calls": [{"index": 0, "function": {"arguments": f}}]})
    yield chunk({}, "tool_calls")
    yield b"data: [DONE]\n\n"


def responses_stream(frags: Iterator[str]) -> Iterator[bytes]:
    seq = itertools.count()

    def event(body: dict[str, Any]) -> bytes:
        body["sequence_number"] = next(seq)
        return b"event: " + str(body["type"]).encode() + b"\ndata: " + dumps(body) + b"\n\n"

    start = responses_envelope([], "in_progress")
    yield event({"type": "response.created", "response": start})
    yield event({"type": "response.in_progress", "response": start})
    item = function_call_item(1, "write_file", "")
    item["status"] = "in_progress"
    yield event({"type": "response.output_item.added", "output_index": 0, "item": item})
    args: list[str] = []
    for f in frags:
        args.append(f)
        yield event(
            {
                "type": "response.function_call_arguments.delta",
                "item_id": item["id"],
                "output_index": 0,
                "delta": f,
            }
        )
    whole = "".join(args)
    done = {**item, "arguments": whole, "status": "completed"}
    yield event(
        {
            "type": "response.function_call_arguments.done",
            "item_id": item["id"],
            "output_index": 0,
            "arguments": whole,
        }
    )
    yield event({"type": "response.output_item.done", "output_index": 0, "item": done})
    yield event({"type": "response.completed", "response": responses_envelope([done], "completed")})


def anthropic_stream(frags: Iterator[str]) -> Iterator[bytes]:
    def event(name: str, body: dict[str, Any]) -> bytes:
        return b"event: " + name.encode() + b"\ndata: " + dumps(body) + b"\n\n"

    start = anthropic_message([], None)
    start["usage"] = {"input_tokens": 412, "cache_read_input_tokens": 0, "output_tokens": 1}
    yield event("message_start", {"type": "message_start", "message": start})
    block = {"type": "tool_use", "id": "toolu_01big", "name": "write_file", "input": {}}
    yield event(
        "content_block_start", {"type": "content_block_start", "index": 0, "content_block": block}
    )
    yield event("ping", {"type": "ping"})
    for f in frags:
        delta = {"type": "input_json_delta", "partial_json": f}
        yield event(
            "content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta}
        )
    yield event("content_block_stop", {"type": "content_block_stop", "index": 0})
    yield event(
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": "tool_use", "stop_sequence": None},
            "usage": {"output_tokens": 4242},
        },
    )
    yield event("message_stop", {"type": "message_stop"})


def gemini_stream(size: int) -> bytes:
    """Gemini streams whole calls (no argument deltas): one functionCall per chunk, ~400 B
    each, CRLF-framed as with ``alt=sse``; the last chunk carries the finish reason."""
    text = "Lorem ipsum dolor sit amet, consectetur adipiscing elit sed do " * 5
    out: list[bytes] = []
    total, n = 0, 0
    while total < size - 600:
        part = {"functionCall": {"name": "write_file", "args": {"path": f"f{n}.txt", "text": text}}}
        event = b"data: " + dumps(gemini_chunk([part], None)) + b"\r\n\r\n"
        out.append(event)
        total += len(event)
        n += 1
    last = gemini_chunk([{"text": ""}], "STOP")
    out.append(b"data: " + dumps(last) + b"\r\n\r\n")
    return b"".join(out)


def stream_for(fmt: str, size: int) -> bytes:
    if fmt == "gemini":
        return gemini_stream(size)
    builders = {"chat": chat_stream, "responses": responses_stream, "anthropic": anthropic_stream}
    return sized(builders[fmt], size)


# --- the sections ---------------------------------------------------------------------------------
def sdk_parsers() -> dict[str, Callable[[bytes], object]]:
    """The official SDKs' client-path parse of a body, json.loads included."""
    import anthropic._models
    import anthropic.types
    import openai._models
    from google.genai import types as gtypes
    from openai.types.chat import ChatCompletion
    from openai.types.responses import Response as OAIResponse

    construct_oai = openai._models.construct_type
    construct_ant = anthropic._models.construct_type
    return {
        "chat": lambda b: construct_oai(type_=ChatCompletion, value=json.loads(b)),
        "responses": lambda b: construct_oai(type_=OAIResponse, value=json.loads(b)),
        "anthropic": lambda b: construct_ant(type_=anthropic.types.Message, value=json.loads(b)),
        "gemini": lambda b: gtypes.GenerateContentResponse._from_response(
            response=json.loads(b), kwargs={}
        ),
    }


ADAPTERS: dict[str, str] = {
    "openai": "chat",
    "azure-openai": "chat",
    "xai": "chat",
    "openrouter": "chat",
    "groq": "chat",
    "openai-responses": "responses",
    "anthropic": "anthropic",
    "gemini": "gemini",
}
BODIES: dict[str, Callable[[], bytes]] = {
    "chat": chat_completion_body,
    "responses": responses_body,
    "anthropic": anthropic_body,
    "gemini": gemini_body,
}


def paired_seconds(
    ours: Callable[[], object], theirs: Callable[[], object], *, loops: int, repeats: int
) -> tuple[float, float, float]:
    """Median per-call times of ``ours`` and ``theirs`` and the median of their per-repeat
    ratio. The two alternate within each repeat, so a burst of load from other processes on
    the machine hits both sides of a ratio alike."""
    ours(), theirs()  # warm up
    a: list[float] = []
    b: list[float] = []
    for _ in range(repeats):
        for fn, out in ((ours, a), (theirs, b)):
            t = time.perf_counter()
            for _ in range(loops):
                fn()
            out.append((time.perf_counter() - t) / loops)
    ratio = statistics.median(y / x for x, y in zip(a, b, strict=True))
    return statistics.median(a), statistics.median(b), ratio


def bench_parse(loops: int, repeats: int) -> list[Row]:
    sdk = sdk_parsers()
    rows = []
    for name, fmt in ADAPTERS.items():
        adapter = fctest.get_adapter(name)
        body = BODIES[fmt]()
        response = HttpResponse(200, {"content-type": "application/json"}, body)
        parsed = adapter.parse_response(response, REQUEST)
        assert len(parsed.tool_calls) == 2, (name, parsed)
        ours, theirs, ratio = paired_seconds(
            partial(adapter.parse_response, response, REQUEST),
            partial(sdk[fmt], body),
            loops=loops,
            repeats=repeats,
        )
        rows.append(
            Row(
                "parse 2 calls",
                name,
                f"{ours * 1e6:6.1f} us vs SDK {theirs * 1e6:6.1f} us = {ratio:4.1f}x",
                f">= {PARSE_SPEEDUP:.0f}x",
                ratio >= PARSE_SPEEDUP,
            )
        )
    return rows


def decode_rates(name: str, raws: list[bytes], repeats: int) -> list[float]:
    """Median MB/s for each stream. Sizes are timed round-robin so that noise from other
    processes on the machine falls on every size alike (the linearity check compares them)."""
    adapter = fctest.get_adapter(name)
    chunked = [[raw[i : i + CHUNK] for i in range(0, len(raw), CHUNK)] for raw in raws]

    def run(pieces: list[bytes]) -> Any:
        decoder = adapter.stream_decoder(REQUEST)
        for piece in pieces:
            decoder.feed(piece)
        return decoder.close()

    for pieces in chunked:  # warm up, and check the stream decodes to a tool call
        assert run(pieces).tool_calls, name
    gc.collect()
    samples: list[list[float]] = [[] for _ in raws]
    for _ in range(repeats):
        for k, pieces in enumerate(chunked):
            t = time.perf_counter()
            run(pieces)
            samples[k].append(time.perf_counter() - t)
    return [len(raw) / statistics.median(s) / 1e6 for raw, s in zip(raws, samples, strict=True)]


def bench_streams(repeats: int) -> list[Row]:
    rows = []
    for name in ("openai", "openai-responses", "anthropic", "gemini"):
        fmt = ADAPTERS[name]
        rates = decode_rates(name, [stream_for(fmt, size) for size in STREAM_SIZES], repeats)
        shown = " / ".join(f"{r:5.1f}" for r in rates)
        rows.append(
            Row(
                "stream MB/s",
                name,
                f"{shown} MB/s at 256K / 512K / 1M",
                f">= {STREAM_MBPS:.0f} at 1M",
                rates[-1] >= STREAM_MBPS,
            )
        )
        rows.append(
            Row(
                "stream linear",
                name,
                f"1M rate = {rates[-1] / rates[0]:.2f} x 256K rate",
                f">= {LINEARITY:.2f}",
                rates[-1] / rates[0] >= LINEARITY,
            )
        )
    return rows


def five_tools() -> list[Tool]:
    props = {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1}}
    schema = {"type": "object", "properties": props, "required": ["city"]}
    return [Tool(f"tool_{i}", f"Tool number {i}", schema) for i in range(5)]


def bench_round_trip(loops: int, repeats: int) -> list[Row]:
    try:
        client_cls = fctest.Client
        mock_cls = fctest.MockTransport
    except AttributeError:
        print("note: fctest.Client / fctest.MockTransport not available; round trip skipped")
        return []
    import httpx

    body = chat_completion_body()
    tools = five_tools()

    def answer(_: Any) -> HttpResponse:
        return HttpResponse(200, {"content-type": "application/json"}, body)

    client = client_cls("openai", "gpt-4o", api_key="sk-bench", transport=mock_cls(answer))

    def raw_answer(_: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "application/json"}, content=body)

    wire_tools = [
        {
            "type": "function",
            "function": {"name": t.name, "description": t.description, "parameters": t.parameters},
        }
        for t in tools
    ]
    http = httpx.Client(transport=httpx.MockTransport(raw_answer))

    def raw() -> object:
        payload = {
            "model": "gpt-4o",
            "messages": [{"role": "user", "content": "Weather in Paris and Rome?"}],
            "tools": wire_tools,
        }
        r = http.post(
            "https://api.openai.com/v1/chat/completions",
            content=json.dumps(payload).encode(),
            headers={"authorization": "Bearer sk-bench", "content-type": "application/json"},
        )
        return json.loads(r.content)["choices"][0]["message"]["tool_calls"]

    ours, baseline, ratio = paired_seconds(
        partial(client.complete, "Weather in Paris and Rome?", tools=tools),
        raw,
        loops=loops,
        repeats=repeats,
    )
    http.close()
    return [
        Row(
            "round trip 5 tools",
            "openai",
            f"Client {ours * 1e6:6.1f} us vs raw httpx+json {baseline * 1e6:6.1f} us "
            f"({1 / ratio:.2f}x)",
            "(info)",
            None,
        )
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer repeats (noisier)")
    args = parser.parse_args(argv)
    loops, repeats, stream_repeats = (100, 7, 5) if args.quick else (300, 31, 11)

    rows = bench_parse(loops, repeats) + bench_streams(stream_repeats)
    rows += bench_round_trip(loops // 2, repeats)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load:.2f}\n")
    width = max(len(r.measured) for r in rows)
    print(f"{'section':<19} {'adapter':<17} {'measured':<{width}}  {'target':<13} result")
    for r in rows:
        verdict = "-" if r.ok is None else ("PASS" if r.ok else "FAIL")
        print(f"{r.section:<19} {r.name:<17} {r.measured:<{width}}  {r.target:<13} {verdict}")
    failed = [r for r in rows if r.ok is False]
    print(f"\n{len(failed)} target(s) failed" if failed else "\nall targets met")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
