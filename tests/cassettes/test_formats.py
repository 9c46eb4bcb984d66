"""Reading every recorder's cassette format back into wire bytes: the real corpus, then small
synthetic files for each format."""

from __future__ import annotations

import base64
import gzip
import json
import zlib
from pathlib import Path

import pytest
import yaml

from conftest import CORPUS
from fctest._cassettes import CassetteFormatError, Interaction, load_cassette
from fctest._wire import HttpRequest, HttpResponse

_NOT_CASSETTES = {"README.md", "INDEX.md", "index.json"}


def _corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        pytest.skip(f"the real-cassette corpus is not at {CORPUS}")
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name not in _NOT_CASSETTES)


def _grpc(path: Path) -> bool:
    return path.name.endswith(".xai.yaml")


# --- the real corpus ------------------------------------------------------------------------------


def test_every_http_cassette_loads() -> None:
    files = _corpus_files()
    assert len(files) == 110
    loaded = 0
    for path in files:
        if _grpc(path):
            continue
        interactions = load_cassette(path)
        assert interactions, path
        for it in interactions:
            assert isinstance(it.response, HttpResponse)
            assert it.request is None or isinstance(it.request, HttpRequest)
            assert 100 <= it.response.status < 600
        loaded += 1
    assert loaded == 107


def test_grpc_cassettes_are_refused() -> None:
    grpc = [p for p in _corpus_files() if _grpc(p)]
    assert len(grpc) == 3
    for path in grpc:
        with pytest.raises(CassetteFormatError) as info:
            load_cassette(path)
        assert str(path) in str(info.value)
        assert "gRPC cassettes (request_sample/response_sample) are not HTTP traffic" in str(
            info.value
        )


def _all_interactions() -> list[tuple[Path, Interaction]]:
    return [(p, it) for p in _corpus_files() if not _grpc(p) for it in load_cassette(p)]


def test_no_body_is_left_compressed_and_lengths_are_true() -> None:
    for path, it in _all_interactions():
        for side in (it.request, it.response):
            if side is None:
                continue
            assert not side.body.startswith(b"\x1f\x8b"), path
            assert "content-encoding" not in side.headers, path
            length = side.headers.get("content-length")
            assert length is None or length == str(len(side.body)), (path, length)


def test_langchain_gzip_cassettes_are_read() -> None:
    path = CORPUS / "langchain-ai__langchain-aws/bedrock/test_agent_loop[v0].yaml.gz"
    if not path.exists():
        pytest.skip(f"{path} is not in the corpus")
    first, second = load_cassette(path)
    assert first.request is not None
    assert first.request.url.endswith("/model/us.anthropic.claude-sonnet-5/converse")
    body = first.request.json()
    assert body["messages"][0]["role"] == "user"
    assert json.loads(first.response.body)["output"]["message"]["role"] == "assistant"
    assert second.request is not None
    assert len(second.request.json()["messages"]) == 3


def test_parsed_bodies_are_reserialised_as_json() -> None:
    checked = 0
    for path in _corpus_files():
        if "pydantic__pydantic-ai" not in path.parts or _grpc(path):
            continue
        raw = yaml.load(path.read_bytes(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        for stored, it in zip(raw["interactions"], load_cassette(path), strict=True):
            for side, value in (("request", it.request), ("response", it.response)):
                assert value is not None
                if "parsed_body" in stored[side]:
                    assert json.loads(value.body) == stored[side]["parsed_body"], path
                    checked += 1
    assert checked > 100


def test_vercel_chunks_become_sse() -> None:
    for path in _corpus_files():
        if not path.name.endswith(".chunks.txt"):
            continue
        (it,) = load_cassette(path)
        lines = [line for line in path.read_bytes().splitlines() if line.strip()]
        assert it.request is None
        assert it.response.status == 200
        assert it.response.headers == {"content-type": "text/event-stream"}
        assert it.response.body == b"".join(b"data: %s\n\n" % line for line in lines)
        assert "200 assumed" in it.note
        assert it.is_stream


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        # SSE with content-type
        ("pydantic__pydantic-ai/openai/test_openai_responses_stream.yaml", [True, True]),
        ("pydantic__pydantic-ai/gemini/test_google_model_iter_stream.yaml", [True] * 3),
        # SSE with no headers recorded: told by the request
        (
            "Arize-ai__openinference/anthropic/test_anthropic_instrumentation_multiple_tool_calling_streaming.yaml",
            [True],
        ),
        (
            "Arize-ai__openinference/gemini/test_response_with_multiple_tool_calls[True].yaml",
            [True],
        ),
        (
            "Arize-ai__openinference/gemini/test_response_with_multiple_tool_calls[False].yaml",
            [False],
        ),
        # AWS event streams: by content-type, and by URL where headers are missing or redacted
        ("pydantic__pydantic-ai/bedrock/test_bedrock_model_iter_stream.yaml", [True, True]),
        (
            "Arize-ai__openinference/bedrock/TestConverseStream.test_invoke_tool_message.yaml",
            [True],
        ),
        (
            "Arize-ai__openinference/bedrock/TestInvokeModelWithStreamResponse.test_invoke.yaml",
            [True],
        ),
        (
            "langchain-ai__langchain-aws/bedrock/test_agent_loop_streaming[v0].yaml.gz",
            [True, False],
        ),
        # one JSON body
        ("pydantic__pydantic-ai/openai/test_openai_tool_output.yaml", [False, False]),
        ("Arize-ai__openinference/ollama/test_chat_with_tool_call.yaml", [False]),
        ("langchain-ai__langchain-aws/bedrock/test_agent_loop[v0].yaml.gz", [False, False]),
        # an error answer to a stream request is one JSON body
        ("pydantic__pydantic-ai/openai/test_openai_responses_model_http_error.yaml", [False]),
        # an error sent inside a 200 stream is still a stream
        ("pydantic__pydantic-ai/openrouter/test_openrouter_stream_error.yaml", [True]),
        ("pydantic__pydantic-ai/groq/test_tool_use_failed_error_streaming.yaml", [True] * 3),
        # response-only fixtures
        ("vercel__ai/openai/openai-error.1.chunks.txt", [True]),
        ("vercel__ai/openai/openai-error.1.json", [False]),
    ],
)
def test_is_stream_on_real_recordings(file: str, expected: list[bool]) -> None:
    path = CORPUS / file
    if not path.exists():
        pytest.skip(f"{path} is not in the corpus")
    assert [it.is_stream for it in load_cassette(path)] == expected


# --- synthetic files, one per format --------------------------------------------------------------

SSE = 'data: {"choices":[{"delta":{"content":"hé"}}]}\n\ndata: [DONE]\n\n'


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_plain_vcrpy_yaml(tmp_path: Path) -> None:
    cassette = _write(
        tmp_path / "plain.yaml",
        """interactions:
- request:
    body: '{"model":"gpt","stream":true}'
    headers:
      Authorization:
      - Bearer sk-x
      Content-Type:
      - application/json
      Content-Length:
      - '29'
      Accept:
      - text/event-stream
      - application/json
    method: post
    uri: https://api.openai.com/v1/chat/completions
  response:
    body:
      string: 'data: {"choices":[{"delta":{"content":"hé"}}]}


        data: [DONE]


        '
    headers:
      Content-Type:
      - text/event-stream; charset=utf-8
    status:
      code: 200
      message: OK
version: 1
""",
    )
    (it,) = load_cassette(cassette)
    assert it.request == HttpRequest(
        "POST",
        "https://api.openai.com/v1/chat/completions",
        {
            "authorization": "Bearer sk-x",
            "content-type": "application/json",
            "content-length": "29",
            "accept": "text/event-stream, application/json",
        },
        b'{"model":"gpt","stream":true}',
    )
    assert it.response.status == 200
    assert it.response.body == SSE.encode()
    assert it.is_stream
    assert it.note == ""


def test_gzip_binary_body(tmp_path: Path) -> None:
    payload = b'{"id":"chatcmpl-1","choices":[]}'
    encoded = base64.encodebytes(gzip.compress(payload)).decode()
    body = "\n".join("        " + line for line in encoded.splitlines())
    cassette = _write(
        tmp_path / "gz.yaml",
        f"""interactions:
- request:
    body: null
    headers: {{}}
    method: GET
    uri: https://api.example.com/v1/models
  response:
    body:
      string: !!binary |
{body}
    headers:
      Content-Encoding:
      - gzip
      Content-Length:
      - '{len(gzip.compress(payload))}'
      Content-Type:
      - application/json
    status:
      code: 200
      message: OK
""",
    )
    (it,) = load_cassette(cassette)
    assert it.response.body == payload
    assert it.response.headers == {"content-type": "application/json"}
    assert it.request is not None
    assert it.request.body == b""
    assert not it.is_stream


def test_gzip_header_on_an_already_decoded_body(tmp_path: Path) -> None:
    text = """interactions:
- request: {body: null, headers: {}, method: POST, uri: 'https://x/v1'}
  response:
    body: {string: '{"ok": true}'}
    headers: {Content-Encoding: [gzip]}
    status: {code: 200, message: OK}
"""
    (it,) = load_cassette(_write(tmp_path / "decoded.yaml", text))
    assert it.response.body == b'{"ok": true}'
    assert "content-encoding" not in it.response.headers


def test_deflate_binary_body(tmp_path: Path) -> None:
    payload = b'{"deflated": true}'
    encoded = base64.b64encode(zlib.compress(payload)).decode()
    text = f"""interactions:
- request: {{body: null, headers: {{}}, method: POST, uri: 'https://x/v1'}}
  response:
    body: {{string: !!binary '{encoded}'}}
    headers: {{Content-Encoding: [deflate]}}
    status: {{code: 200, message: OK}}
"""
    (it,) = load_cassette(_write(tmp_path / "deflate.yaml", text))
    assert it.response.body == payload
    assert it.response.headers == {}


def test_parsed_body_yaml(tmp_path: Path) -> None:
    cassette = _write(
        tmp_path / "parsed.yaml",
        """interactions:
- request:
    headers:
      content-length:
      - '999'
      content-type:
      - application/json
    method: POST
    parsed_body:
      messages:
      - content: Où est Paris ?
        role: user
      model: gpt-4o
      stream: false
    uri: https://api.openai.com/v1/chat/completions
  response:
    headers:
      content-type:
      - application/json
    parsed_body:
      choices:
      - finish_reason: tool_calls
        message:
          tool_calls:
          - function:
              arguments: '{"city":"Paris"}'
              name: get_weather
            id: call_1
            type: function
    status:
      code: 200
      message: OK
""",
    )
    (it,) = load_cassette(cassette)
    assert it.request is not None
    assert it.request.json() == {
        "messages": [{"content": "Où est Paris ?", "role": "user"}],
        "model": "gpt-4o",
        "stream": False,
    }
    assert "Où".encode() in it.request.body  # UTF-8, not \\u escapes
    assert "content-length" not in it.request.headers  # the stored 999 no longer holds
    call = json.loads(it.response.body)["choices"][0]["message"]["tool_calls"][0]
    assert call["function"]["arguments"] == '{"city":"Paris"}'
    assert not it.is_stream


def test_langchain_gzipped_yaml(tmp_path: Path) -> None:
    request_body = base64.b64encode(b'{"messages": []}').decode()
    response_body = base64.b64encode(b'{"output": {}}').decode()
    text = f"""requests:
- body: !!binary |
    {request_body}
  headers:
    Content-Type:
    - '**REDACTED**'
  method: POST
  uri: https://bedrock-runtime.us-west-2.amazonaws.com/model/m/converse
responses:
- body:
    string: !!binary |
      {response_body}
  headers:
    Content-Type:
    - '**REDACTED**'
  status:
    code: 200
    message: OK
"""
    path = tmp_path / "lc.yaml.gz"
    path.write_bytes(gzip.compress(text.encode()))
    (it,) = load_cassette(path)
    assert it.request is not None
    assert it.request.body == b'{"messages": []}'
    assert it.response.body == b'{"output": {}}'
    assert it.response.headers == {"content-type": "**REDACTED**"}
    assert not it.is_stream


def test_langchain_lists_of_different_lengths(tmp_path: Path) -> None:
    text = "requests: [{method: POST, uri: 'https://x'}]\nresponses: []\n"
    with pytest.raises(CassetteFormatError, match=r"lc\.yaml: not a readable cassette"):
        load_cassette(_write(tmp_path / "lc.yaml", text))


def test_vcrpy_json_cassette(tmp_path: Path) -> None:
    data = {
        "interactions": [
            {
                "request": {"method": "POST", "uri": "https://x/v1", "body": "{}", "headers": {}},
                "response": {
                    "status": {"code": 429, "message": "Too Many Requests"},
                    "headers": {"Retry-After": ["3"]},
                    "body": {"string": '{"error": {}}'},
                },
            }
        ],
        "version": 1,
    }
    path = tmp_path / "c.json"
    path.write_text(json.dumps(data))
    (it,) = load_cassette(path)
    assert it.response.status == 429
    assert it.response.headers == {"retry-after": "3"}
    assert not it.is_stream


def test_vercel_fixtures(tmp_path: Path) -> None:
    body = b'{"id":"resp_1","output":[]}'
    (it,) = load_cassette(_write(tmp_path / "tool-call.1.json", body.decode()))
    assert it == Interaction(
        None,
        HttpResponse(200, {"content-type": "application/json"}, body),
        "response-only fixture: status and headers were not recorded (200 assumed)",
    )
    assert not it.is_stream
    chunks = tmp_path / "tool-call.1.chunks.txt"
    chunks.write_bytes(b'{"a":1}\r\n\n{"b":"\xc3\xa9"}\n  \n{"c":3}')
    (stream,) = load_cassette(chunks)
    assert stream.response.body == b'data: {"a":1}\n\ndata: {"b":"\xc3\xa9"}\n\ndata: {"c":3}\n\n'
    assert stream.is_stream


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("grpc.xai.yaml", "interactions:\n- request_sample: {}\n  response_sample: {}\n", "gRPC"),
        ("list.yaml", "- a\n- b\n", "not a cassette (top level is list)"),
        ("other.yaml", "hello: world\n", "unknown cassette layout (top-level keys ['hello'])"),
        ("bad.yaml", "interactions: [\n", "not a readable cassette: ValueError: not YAML"),
        (
            "unsafe.yaml",
            "x: !!python/object/apply:os.system ['true']\n",
            "not YAML that loads safely",
        ),
        ("bad.json", "{not json", "not a readable cassette: JSONDecodeError"),
        (
            "half.yaml",
            "interactions:\n- request: {uri: 'https://x'}\n",
            "interactions without request/response",
        ),
        ("weird.yaml", "interactions:\n- request: 3\n  response: 4\n", "not a readable cassette"),
    ],
)
def test_files_that_are_not_cassettes(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = _write(tmp_path / name, content)
    with pytest.raises(CassetteFormatError) as info:
        load_cassette(path)
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_truncated_gzip(tmp_path: Path) -> None:
    path = tmp_path / "cut.yaml.gz"
    path.write_bytes(gzip.compress(b"interactions: []\n" * 100)[:30])
    with pytest.raises(CassetteFormatError, match="not a readable cassette"):
        load_cassette(path)


def test_empty_cassette(tmp_path: Path) -> None:
    assert load_cassette(_write(tmp_path / "empty.yaml", "interactions: []\nversion: 1\n")) == []
