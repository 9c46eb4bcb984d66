"""What is stored of a recorded exchange: canonical URL, stable headers, decoded bodies, no
secrets, and where the bytes came from. Through vcrpy and a real recording: test_scrub.py."""

from __future__ import annotations

import gzip
import json
import zlib
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from fctest import __version__
from fctest._cassettes._matching import Matcher
from fctest._cassettes._recording import (
    CassetteSpec,
    provenance,
    stored_request,
    stored_response,
    strip_userinfo,
)
from fctest._cassettes._scrub import Secrets

KEY = "sk-live-0123456789abcdefghij"


def test_a_request_is_stored_canonical_stable_and_scrubbed() -> None:
    matcher = Matcher.build("https://api.openai.com/v1", ["http://127.0.0.1:9/v1"])
    request = SimpleNamespace(
        method="POST",
        uri="http://127.0.0.1:9/v1/chat/completions?key=abcdefgh123",
        body=json.dumps({"model": "m", "api_key": KEY}).encode(),
        headers={
            "Host": "127.0.0.1:9",
            "User-Agent": "OpenAI/Python 1.0",
            "X-Stainless-Os": "Linux",
            "Accept": "*/*",
            "Authorization": f"Bearer {KEY}",
            "Content-Type": "application/json",
        },
    )
    secrets = Secrets()
    assert stored_request(request, matcher, secrets) == (
        "POST",
        "https://api.openai.com/v1/chat/completions?key=<redacted>",
        b'{"model":"m","api_key":"<redacted>"}',
        {"authorization": ["<redacted>"], "content-type": ["application/json"]},
    )
    assert KEY in list(secrets)  # remembered, to be replaced wherever else it appears


def _response(headers: dict[str, list[str]], body: bytes) -> dict[str, Any]:
    return {"status": {"code": 200, "message": "OK"}, "headers": headers, "body": {"string": body}}


def test_a_response_is_stored_decoded_with_its_length_and_no_secrets() -> None:
    body = json.dumps({"echo": KEY}).encode()
    headers = {
        "Content-Encoding": ["gzip"],
        "Content-Length": ["999"],
        "Set-Cookie": ["sid=abcdefgh12345; path=/"],
    }
    stored = stored_response(_response(headers, gzip.compress(body)), Secrets([KEY]))
    assert stored["body"] == {"string": b'{"echo": "<redacted>"}'}
    assert stored["headers"] == {"Content-Length": ["22"], "Set-Cookie": ["<redacted>"]}


@pytest.mark.parametrize(
    ("coding", "encoded"),
    [
        ("deflate", zlib.compress(b"hello")),
        ("deflate", zlib.compress(b"hello")[2:-4]),  # raw deflate, as some servers send it
        # mtime=0: a gzip header holds a timestamp, and the test id must be the same in every
        # xdist worker.
        ("gzip, identity", gzip.compress(b"hello", mtime=0)),
    ],
    ids=["zlib", "raw-deflate", "gzip"],
)
def test_compressed_bodies_are_decoded(coding: str, encoded: bytes) -> None:
    stored = stored_response(_response({"content-encoding": [coding]}, encoded), Secrets())
    assert stored["body"] == {"string": b"hello"}
    assert stored["headers"] == {}


def test_a_body_in_an_unknown_coding_is_kept_as_sent() -> None:
    stored = stored_response(_response({"content-encoding": ["compress"]}, b"\x1f\x9d"), Secrets())
    assert stored["body"] == {"string": b"\x1f\x9d"}
    assert stored["headers"] == {"content-encoding": ["compress"]}


def _spec(base_url: str) -> CassetteSpec:
    return CassetteSpec(
        path=Path("c.yaml"),
        name="c",
        provider="openai",
        record_mode="all",
        canonical_base="https://api.openai.com/v1",
        base_url=base_url,
    )


def test_the_provenance_says_where_the_bytes_came_from() -> None:
    request = SimpleNamespace(
        uri="https://api.openai.com/v1/chat/completions?api-version=2024-10&key=<redacted>",
        headers={"anthropic-version": "2023-06-01"},
    )
    served = {"headers": {"Server": ["fctest/0.1.0"]}}
    assert provenance(
        _spec("http://user:pw123456@127.0.0.1:9/v1"), "gpt-4o", request, served, Secrets()
    ) == {
        "source": "reference-server",
        "provider": "openai",
        "endpoint": "http://127.0.0.1:9/v1",
        "api_version": "v1, anthropic-version 2023-06-01, api-version 2024-10",
        "model": "gpt-4o",
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "fctest_version": __version__,
    }
    other = {"headers": {}}
    live = provenance(_spec("https://api.openai.com/v1"), "m", request, other, Secrets())
    assert live["source"] == "live"
    local = provenance(_spec("http://127.0.0.1:9/v1"), "m", request, other, Secrets())
    assert local["source"] == "compatible-server"


def test_strip_userinfo() -> None:
    assert strip_userinfo("https://u:p@h.test/v1") == "https://h.test/v1"
    plain = "https://h.test/v1"
    assert strip_userinfo(plain) is plain
