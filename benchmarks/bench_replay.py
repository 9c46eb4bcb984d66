"""How much a request replayed from a fctest cassette costs, against httpx's MockTransport.

Run: ``.venv/bin/python benchmarks/bench_replay.py [--quick]``. Exits 1 if a target fails.

Targets (issue 6): replay with body-aware matching costs at most **3x** a request answered by
``httpx.MockTransport``, and stays **flat** in the cassette's size (here: the per-request cost
at 1,000 interactions is at most 1.5x the cost at 10).

What is timed, per request (median of repeats, GC on):

- ``mock``: ``httpx.Client(transport=httpx.MockTransport(handler)).post(url, content=body)``,
  the handler returning the recorded response bytes; ``.read()`` included;
- ``replay``: the same call inside a fctest cassette in record mode ``none`` (vcrpy intercepts
  the transport; fctest keys the request once and finds it with a dict lookup; every request
  of the cassette is played once per repeat, loading not timed);
- ``vcrpy body matcher`` (``--vcrpy``): vcrpy's own Cassette matching method, URI and body, for
  comparison (slow: it scans every interaction and diffs bodies).

Each request is an OpenAI chat request with 5 tools (about 1.5 KB); each response one call.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from fctest._cassettes import Cassette, CassetteSpec, encode_cassette
from fctest.providers import get_adapter

URL = "https://api.openai.com/v1/chat/completions"
MAX_RATIO = 3.0
MAX_GROWTH = 1.5


def tools() -> list[dict[str, Any]]:
    return [
        {
            "type": "function",
            "function": {
                "name": f"tool_{i}",
                "description": f"Tool number {i} does something useful with a city.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "city": {"type": "string", "description": "City name"},
                        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                    },
                    "required": ["city"],
                },
            },
        }
        for i in range(5)
    ]


def request_body(i: int) -> bytes:
    body = {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": f"Question number {i}: weather in Paris?"}],
        "tools": tools(),
        "temperature": 0.0,
    }
    return json.dumps(body, separators=(",", ":")).encode()


def response_body(i: int) -> bytes:
    call = {
        "id": f"call_{i}",
        "type": "function",
        "function": {"name": "tool_1", "arguments": '{"city":"Paris"}'},
    }
    body = {
        "id": f"chatcmpl-{i}",
        "object": "chat.completion",
        "created": 1,
        "model": "gpt-4o-mini",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": None, "tool_calls": [call]},
                "finish_reason": "tool_calls",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }
    return json.dumps(body, indent=2).encode()


def write_cassette(path: Path, n: int) -> None:
    interactions = [
        {
            "request": {
                "method": "POST",
                "uri": URL,
                "body": request_body(i),
                "headers": {"content-type": ["application/json"]},
            },
            "response": {
                "status": {"code": 200, "message": "OK"},
                "headers": {"content-type": ["application/json"]},
                "body": {"string": response_body(i)},
            },
        }
        for i in range(n)
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(encode_cassette({"version": 1, "interactions": interactions}), "utf-8")


def spec(path: Path) -> CassetteSpec:
    return CassetteSpec(
        path=path,
        name=path.stem,
        provider="openai",
        record_mode="none",
        canonical_base="https://api.openai.com/v1",
        base_url="https://api.openai.com/v1",
    )


def time_mock(n: int, repeats: int) -> float:
    responses = {request_body(i): response_body(i) for i in range(n)}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"content-type": "application/json"}, content=responses[request.content]
        )

    bodies = list(responses)
    samples = []
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        for _ in range(repeats):
            start = time.perf_counter()
            for body in bodies:
                client.post(URL, content=body, headers={"content-type": "application/json"}).read()
            samples.append((time.perf_counter() - start) / n)
    return statistics.median(samples)


def time_replay(path: Path, n: int, repeats: int) -> float:
    bodies = [request_body(i) for i in range(n)]
    adapter = get_adapter("openai")
    samples = []
    with httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(599))) as client:
        for _ in range(repeats):
            cassette = Cassette(spec(path), adapter).open()  # loading is not timed
            try:
                start = time.perf_counter()
                for body in bodies:
                    response = client.post(
                        URL, content=body, headers={"content-type": "application/json"}
                    )
                    response.read()
                samples.append((time.perf_counter() - start) / n)
                assert response.status_code == 200
            finally:
                cassette.close()
    return statistics.median(samples)


def time_vcrpy(path: Path, n: int, repeats: int) -> float:
    """vcrpy's own Cassette, matching method + URI + body (its ``body`` matcher)."""
    import vcr
    from vcr.cassette import Cassette as VcrCassette

    from fctest._cassettes import serializer

    bodies = [request_body(i) for i in range(n)]
    samples = []
    matchers = (vcr.matchers.method, vcr.matchers.uri, vcr.matchers.body)
    with httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(599))) as client:
        for _ in range(repeats):
            with VcrCassette.use(
                path=str(path), serializer=serializer, record_mode="none", match_on=matchers
            ):
                start = time.perf_counter()
                for body in bodies:
                    client.post(URL, content=body, headers={"content-type": "application/json"})
                samples.append((time.perf_counter() - start) / n)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (noisier)")
    parser.add_argument("--vcrpy", action="store_true", help="also time vcrpy's body matcher")
    args = parser.parse_args()
    sizes = (10, 100, 1000)
    repeats = {10: 200, 100: 30, 1000: 5} if not args.quick else {10: 40, 100: 8, 1000: 2}
    gc.collect()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = Path(tmp, f"c{n}.yaml")
            write_cassette(path, n)
            mock = time_mock(n, repeats[n])
            replay = time_replay(path, n, repeats[n])
            vcrpy = time_vcrpy(path, min(n, 100), 2) if args.vcrpy and n <= 100 else None
            rows.append((n, mock, replay, vcrpy))
    failures = 0
    print(f"{'interactions':>12} {'mock us':>9} {'replay us':>10} {'ratio':>6}  vcrpy body us")
    for n, mock, replay, vcrpy in rows:
        ratio = replay / mock
        ok = ratio <= MAX_RATIO
        failures += not ok
        extra = f"{vcrpy * 1e6:,.0f}" if vcrpy is not None else "-"
        print(
            f"{n:>12} {mock * 1e6:>9.1f} {replay * 1e6:>10.1f} {ratio:>5.2f}x  {extra}"
            f"   {'PASS' if ok else 'FAIL'} (<= {MAX_RATIO}x)"
        )
    growth = rows[-1][2] / rows[0][2]
    ok = growth <= MAX_GROWTH
    failures += not ok
    print(
        f"flat: replay at {sizes[-1]} / at {sizes[0]} interactions = {growth:.2f}x   "
        f"{'PASS' if ok else 'FAIL'} (<= {MAX_GROWTH}x)"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
