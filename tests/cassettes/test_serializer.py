"""The cassette format: readable, byte-exact where it matters, safe to load, vcrpy-compatible."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from fctest._cassettes import load_cassette
from fctest._cassettes._serializer import (
    CassetteSerializer,
    decode_cassette,
    decode_stream,
    encode_cassette,
    encode_stream,
    serializer,
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
objects = st.dictionaries(st.text(max_size=6), json_values, max_size=4)


@st.composite
def sse_bodies(draw: st.DrawFn) -> bytes:
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    separators = draw(st.sampled_from([(",", ":"), (", ", ": ")]))
    ascii_only = draw(st.booleans())
    events = []
    for kind in draw(
        st.lists(st.sampled_from(["json", "named", "done", "comment", "raw"]), max_size=6)
    ):
        if kind in ("json", "named"):
            data = json.dumps(draw(objects), separators=separators, ensure_ascii=ascii_only)
            lines = [f"data: {data}"]
            if kind == "named":
                lines.insert(0, f"event: {draw(st.sampled_from(['delta', 'message_stop']))}")
            events.append(newline.join(lines))
        elif kind == "done":
            events.append("data: [DONE]")
        elif kind == "comment":
            events.append(": ping")
        else:
            events.append(draw(st.text(max_size=20)))
    tail = draw(st.sampled_from(["", 'data: {"partial', newline]))
    return ("".join(e + newline * 2 for e in events) + tail).encode("utf-8")


@given(sse_bodies())
def test_sse_streams_round_trip_byte_for_byte(body: bytes) -> None:
    stored = encode_stream(body, "sse")
    assert stored is not None
    assert decode_stream(stored) == body
    # ...and through the cassette's YAML text, as it is written and read.
    text = encode_cassette(_cassette(body, "text/event-stream"))
    assert decode_cassette(text).interactions[0][1]["body"]["string"] == body


@given(
    st.lists(objects | st.text(max_size=10).filter(lambda t: "\n" not in t), max_size=5),
    st.booleans(),
)
def test_ndjson_streams_round_trip_byte_for_byte(lines: list[Any], trailing: bool) -> None:
    text = "".join((json.dumps(x) if not isinstance(x, str) else x) + "\n" for x in lines)
    body = (text + ('{"cut' if trailing else "")).encode("utf-8")
    stored = encode_stream(body, "ndjson")
    assert stored is not None
    assert decode_stream(stored) == body
    text = encode_cassette(_cassette(body, "application/x-ndjson"))
    assert decode_cassette(text).interactions[0][1]["body"]["string"] == body


@given(st.text())
def test_any_text_survives_the_yaml(value: str) -> None:
    """Strings YAML folds or cannot hold as they are (NEL, U+2028, lone surrogates...)."""
    body = json.dumps({"text": value, value: [value]}, ensure_ascii=False).encode(
        "utf-8", "surrogatepass"
    )
    text = encode_cassette(_cassette(body, "application/json"))
    stored = decode_cassette(text).interactions[0][1]["body"]["string"]
    assert json.loads(stored) == json.loads(body)


def test_sse_events_are_stored_parsed_when_exact() -> None:
    body = (
        b'event: message_start\ndata: {"type":"message_start","n":1}\n\n'
        b'data: {"a": 1}\n\n'  # another layout than the stream's: kept as text
        b": ping\n\n"
        b"data: [DONE]\n\n"
    )
    stored = encode_stream(body, "sse")
    assert stored == {
        "format": "sse",
        "json_style": "compact",
        "events": [
            {"event": "message_start", "data": {"type": "message_start", "n": 1}},
            {"data": '{"a": 1}'},
            ": ping",
            {"data": "[DONE]"},
        ],
    }


def _cassette(body: bytes, content_type: str) -> dict[str, Any]:
    return {
        "version": 1,
        "interactions": [
            {
                "request": {
                    "method": "POST",
                    "uri": "https://api.example.com/v1/x",
                    "body": b'{"model":"m","messages":[{"role":"user","content":"T\xc3\xb6kyo"}]}',
                    "headers": {"content-type": ["application/json"]},
                },
                "response": {
                    "status": {"code": 200, "message": "OK"},
                    "headers": {"content-type": [content_type], "content-length": [str(len(body))]},
                    "body": {"string": body},
                },
            }
        ],
    }


@pytest.mark.parametrize(
    ("body", "style"),
    [
        (json.dumps({"a": [1, 2], "b": "é"}, indent=2).encode(), "indent2 ascii"),
        (json.dumps({"a": "é"}, separators=(",", ":"), ensure_ascii=False).encode(), None),
        (json.dumps({"a": 1}).encode() + b"\n", "spaced newline"),
        (b'{"a":  1}', None),  # no known layout: stored parsed, replayed compact
    ],
)
def test_json_bodies_are_stored_parsed(body: bytes, style: str | None) -> None:
    text = encode_cassette(_cassette(body, "application/json"))
    data = yaml.safe_load(text)
    response = data["interactions"][0]["response"]
    assert response["parsed_body"] == json.loads(body)
    assert response.get("json_style") == style
    assert data["interactions"][0]["request"]["parsed_body"]["messages"][0]["content"] == "Tökyo"
    replayed = decode_cassette(text).interactions[0][1]
    if style is not None:
        assert replayed["body"]["string"] == body
    assert json.loads(replayed["body"]["string"]) == json.loads(body)
    assert replayed["headers"]["content-length"] == [str(len(replayed["body"]["string"]))]


def test_binary_and_text_bodies() -> None:
    binary = bytes(range(256))
    text = encode_cassette(_cassette(binary, "application/octet-stream"))
    assert decode_cassette(text).interactions[0][1]["body"]["string"] == binary
    plain = encode_cassette(_cassette(b"just text\nover lines", "text/plain"))
    assert "just text" in plain
    assert decode_cassette(plain).interactions[0][1]["body"]["string"] == b"just text\nover lines"


def test_provenance_is_a_top_level_key_vcrpy_ignores() -> None:
    from vcr.serialize import deserialize

    body = b'data: {"x":1}\n\n'
    own = CassetteSerializer(provenance={"source": "live", "date": "2026-01-01"})
    text = own.serialize(_cassette(body, "text/event-stream"))
    assert text.startswith("fctest:\n  source: live\n")
    # vcrpy itself loads the file with this serializer and sees only interactions.
    requests, responses = deserialize(text, serializer)
    assert requests[0].uri == "https://api.example.com/v1/x"
    assert responses[0]["body"]["string"] == body
    assert serializer.loaded_provenance == {"source": "live", "date": "2026-01-01"}
    # And fctest's reader of other people's cassettes reads this format too.


def test_the_generic_cassette_reader_reads_this_format(tmp_path: Any) -> None:
    body = b'event: a\ndata: {"x":1}\n\ndata: [DONE]\n\n'
    path = tmp_path / "c.yaml"
    path.write_text(encode_cassette(_cassette(body, "text/event-stream")), encoding="utf-8")
    (interaction,) = load_cassette(path)
    assert interaction.response.body == body
    assert interaction.request is not None
    assert interaction.request.json()["messages"][0]["content"] == "Tökyo"


def test_loading_is_safe() -> None:
    evil = "interactions: !!python/object/apply:os.system ['echo pwned']\n"
    with pytest.raises(yaml.YAMLError):
        decode_cassette(evil)
    with pytest.raises(ValueError, match="no 'interactions' list"):
        decode_cassette("interactions: 3\n")
    with pytest.raises(ValueError, match="without request/response"):
        decode_cassette("interactions:\n- request: {}\n")
