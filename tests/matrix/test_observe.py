"""``fctest matrix observe``: real recordings decoded by the right adapter, what they show per
provider and model, the findings they hold, and the counts on the shared corpus."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import CORPUS, REPO
from fctest import Message, Request, Response, ToolCall, adapter_names, get_adapter
from fctest.cli import main
from fctest.dialect import ModelRule
from fctest.errors import CassetteFormatError, UnknownAdapterError, UsageError
from fctest.matrix import Matrix, ObservationsFile, load_any, observe
from fctest.matrix._observe import OBSERVED_CAPABILITIES
from fctest.providers import get_responder


def _pair(provider: str, model: str, response: Response, *, stream: bool = False) -> dict[str, Any]:
    """One vcrpy interaction: the request the adapter builds, the answer its responder writes."""
    adapter = get_adapter(provider)
    request = Request(model=model, messages=(Message.user("hi"),), stream=stream)
    sent = adapter.build_request(request, adapter.config_type(api_key="k"))
    responder = get_responder(provider)
    if stream:
        body = b"".join(responder.encode_stream(response, request, fragment_size=4))
        ctype = "text/event-stream"
    else:
        body = responder.encode_response(response, request).body
        ctype = "application/json"
    return {
        "request": {"method": "POST", "uri": sent.url, "body": sent.body.decode(), "headers": {}},
        "response": {
            "status": {"code": 200, "message": "OK"},
            "headers": {"Content-Type": [ctype], "Date": ["Fri, 30 May 2025 10:00:00 GMT"]},
            "body": {"string": body.decode()},
        },
    }


def _error_pair(url: str, status: int, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "request": {"method": "POST", "uri": url, "body": "{}", "headers": {}},
        "response": {
            "status": {"code": status, "message": "x"},
            "headers": {"Content-Type": ["application/json"]},
            "body": {"string": json.dumps(body)},
        },
    }


def _answer(provider: str, *ids: str, model: str = "m") -> Response:
    calls = tuple(ToolCall(i, f"tool_{n}", {"city": "Paris", "n": n}) for n, i in enumerate(ids))
    return Response(provider, model, tool_calls=calls, finish_reason="tool_calls")


def _write(path: Path, *interactions: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"interactions": list(interactions)}), encoding="utf-8")
    return path


@pytest.fixture
def recordings(tmp_path: Path) -> Path:
    root = tmp_path / "my_cassettes"
    _write(
        root / "openai" / "two_calls.yaml",
        _pair("openai", "gpt-4o", _answer("openai", "call_a", "call_b")),
        _error_pair(
            "https://api.openai.com/v1/chat/completions",
            400,
            {"error": {"message": "Unsupported parameter", "type": "invalid_request_error"}},
        ),
    )
    _write(
        root / "anthropic" / "stream.yaml",
        _pair("anthropic", "claude-x", _answer("anthropic", "toolu_01"), stream=True),
    )
    # An unknown endpoint, and a folder naming an adapter holding a response-only fixture.
    _write(
        root / "other" / "mistral.yaml",
        _error_pair("https://api.mistral.ai/v1/chat/completions", 401, {"message": "no"}),
    )
    body = get_responder("xai").encode_response(_answer("xai", "call_x", model="grok-3")).body
    (root / "xai").mkdir()
    (root / "xai" / "fixture.json").write_bytes(body)
    (root / "notes.txt").write_text("not a recording", encoding="utf-8")
    return root


def test_each_interaction_is_decoded_by_its_adapter(recordings: Path) -> None:
    observed = observe([recordings], root=recordings.parent)
    by_file = {(o.file, o.interaction): o for o in observed.observations}
    two = by_file[("my_cassettes/openai/two_calls.yaml", 0)]
    assert (two.provider, two.model, two.status, two.stream) == ("openai", "gpt-4o", 200, False)
    assert [(c.id, c.id_sent, c.id_fits, c.fragments) for c in two.calls] == [
        ("call_a", True, True, None),
        ("call_b", True, True, None),
    ]
    assert two.date == "2025-05-30"
    assert two.endpoint == "https://api.openai.com/v1/chat/completions"
    error = by_file[("my_cassettes/openai/two_calls.yaml", 1)]
    assert error.error is not None
    assert (error.error.error_class, error.error.status) == ("BadRequestError", 400)
    stream = by_file[("my_cassettes/anthropic/stream.yaml", 0)]
    assert stream.stream
    assert stream.calls[0].fragments is not None
    assert stream.calls[0].fragments > 1
    fixture = by_file[("my_cassettes/xai/fixture.json", 0)]
    assert (fixture.provider, fixture.model, fixture.endpoint) == ("xai", "grok-3", None)
    assert "200 assumed" in (fixture.note or "")
    assert [(s.file, s.label, s.reason) for s in observed.skipped] == [
        (
            "my_cassettes/other/mistral.yaml",
            "api.mistral.ai",
            "no registered adapter recognises this endpoint",
        )
    ]
    assert observed.counts() == {
        "anthropic": {"decoded": 1, "skipped": 0, "failed": 0},
        "api.mistral.ai": {"decoded": 0, "skipped": 1, "failed": 0},
        "openai": {"decoded": 2, "skipped": 0, "failed": 0},
        "xai": {"decoded": 1, "skipped": 0, "failed": 0},
    }


def test_observations_become_recorded_evidence(recordings: Path) -> None:
    results = observe([recordings], root=recordings.parent).results().results
    seen = {(r.provider, r.capability, r.cassette, r.interaction) for r in results}
    assert ("openai", "parallel_calls", "my_cassettes/openai/two_calls.yaml", 0) in seen
    assert ("openai", "errors", "my_cassettes/openai/two_calls.yaml", 1) in seen
    assert ("anthropic", "streaming", "my_cassettes/anthropic/stream.yaml", 0) in seen
    assert ("openai", "call_ids", "my_cassettes/openai/two_calls.yaml", 0) in seen
    assert {r.kind for r in results} == {"recorded"}
    assert all(r.test_id.startswith("observe:my_cassettes/") for r in results)
    assert not [r for r in results if r.finding]


def test_a_model_s_family_is_resolved_with_the_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter = get_adapter("openai")
    rule = ModelRule("test reasoning family", ("o9*",), {"parallel_call_control": False})
    profile = adapter.profile.evolve(models=(*adapter.profile.models, rule))
    monkeypatch.setattr(type(adapter), "profile", profile)
    _write(tmp_path / "a.yaml", _pair("openai", "o9-mini", _answer("openai", "call_1")))
    _write(tmp_path / "b.yaml", _pair("openai", "gpt-x", _answer("openai", "call_2")))
    observed = observe([tmp_path], root=tmp_path)
    assert {o.model: o.families for o in observed.observations} == {
        "o9-mini": ("test reasoning family",),
        "gpt-x": (),
    }
    matrix = Matrix.from_results(observed.results())
    assert [r.label for r in matrix.rows] == [
        "openai · provider defaults",
        "openai · test reasoning family",
    ]


def _gemini_body(*ids: str | None) -> dict[str, Any]:
    parts = []
    for n, call_id in enumerate(ids):
        call: dict[str, Any] = {"name": f"tool_{n}", "args": {"n": n}}
        if call_id is not None:
            call["id"] = call_id
        parts.append({"functionCall": call})
    return {
        "candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP"}],
        "modelVersion": "gemini-x",
    }


def _raw_pair(url: str, body: bytes, ctype: str = "application/json") -> dict[str, Any]:
    return {
        "request": {"method": "POST", "uri": url, "body": "{}", "headers": {}},
        "response": {
            "status": {"code": 200, "message": "OK"},
            "headers": {"Content-Type": [ctype]},
            "body": {"string": body.decode()},
        },
    }


GEMINI = "https://generativelanguage.googleapis.com/v1beta/models/gemini-x:generateContent"


def test_ids_the_profile_says_a_provider_never_sends_are_a_finding(tmp_path: Path) -> None:
    _write(
        tmp_path / "g.yaml",
        _raw_pair(GEMINI, json.dumps(_gemini_body(None)).encode()),
        _raw_pair(GEMINI, json.dumps(_gemini_body("ab12cd34", "ef56gh78")).encode()),
    )
    observed = observe([tmp_path / "g.yaml"], root=tmp_path)
    first, second = observed.observations
    assert [c.id_sent for c in first.calls] == [False]
    assert [c.id_sent for c in second.calls] == [True, True]
    assert second.declared.tool_call_ids == "generated"
    findings = {r.interaction: r.finding for r in observed.results().results if r.finding}
    assert findings == {
        1: "declared tool_call_ids 'generated' (the provider sends no ids), recorded the "
        "provider's own ids"
    }
    cell = Matrix.from_results(observed.results()).cell(
        Matrix.from_results(observed.results()).rows[0], "call_ids"
    )
    assert cell.state == "pass"
    assert cell.finding is not None
    assert cell.drift is None


def _chat_body(call_id: str) -> bytes:
    message = {
        "role": "assistant",
        "tool_calls": [
            {"id": call_id, "type": "function", "function": {"name": "f", "arguments": "{}"}}
        ],
    }
    body = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "m",
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls"}],
    }
    return json.dumps(body).encode()


def test_an_id_that_breaks_the_declared_rule_is_a_finding(tmp_path: Path) -> None:
    long_id = "tool_insert_level_with_spaces_3ZiChYzj8xER8HixJe7W"
    _write(
        tmp_path / "r.yaml",
        _raw_pair("https://openrouter.ai/api/v1/chat/completions", _chat_body(long_id)),
    )
    observed = observe([tmp_path], root=tmp_path)
    (call,) = observed.observations[0].calls
    assert (call.id_sent, call.id_fits) == (True, False)
    (finding,) = [r.finding for r in observed.results().results if r.finding]
    assert finding.startswith("recorded ids break the declared id rule ^.{1,40}$ (max 40)")
    assert f"{long_id} (50 characters, breaks the id rule)" in observed.observations[0].summary()


def test_argument_fragments_where_whole_calls_are_declared_are_a_finding(tmp_path: Path) -> None:
    chunks = [
        {
            "id": "c",
            "object": "chat.completion.chunk",
            "model": "m",
            "choices": [{"index": 0, "delta": d}],
        }
        for d in (
            {
                "role": "assistant",
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "f", "arguments": '{"a"'},
                    }
                ],
            },
            {"tool_calls": [{"index": 0, "function": {"arguments": ": 1}"}}]},
        )
    ]
    chunks.append(
        {
            "id": "c",
            "object": "chat.completion.chunk",
            "model": "m",
            "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}],
        }
    )
    body = (
        b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks) + b"data: [DONE]\n\n"
    )
    url = "https://api.groq.com/openai/v1/chat/completions"
    _write(tmp_path / "s.yaml", _raw_pair(url, body, "text/event-stream"))
    observed = observe([tmp_path], root=tmp_path)
    (call,) = observed.observations[0].calls
    assert call.fragments == 2
    findings = {r.capability: r.finding for r in observed.results().results if r.finding}
    assert findings == {
        "streaming": "declared whole calls per chunk (streams_arguments false), recorded a "
        "call's arguments in fragments"
    }


def test_a_decoding_failure_is_counted_and_fails_its_cell(tmp_path: Path) -> None:
    url = "https://api.anthropic.com/v1/messages"
    _write(tmp_path / "bad.yaml", _raw_pair(url, b"data: {not json\n\n", "text/event-stream"))
    observed = observe([tmp_path], root=tmp_path)
    assert observed.counts() == {"anthropic": {"decoded": 0, "skipped": 0, "failed": 1}}
    (result,) = observed.results().results
    assert (result.capability, result.outcome) == ("streaming", "fail")
    assert "ProtocolError" in (result.reason or "")


def test_provider_forces_one_adapter(tmp_path: Path) -> None:
    url = "https://llm.example.test/v1/chat/completions"
    _write(tmp_path / "c.yaml", _raw_pair(url, _chat_body("call_9")))
    assert observe([tmp_path], root=tmp_path).observations == ()
    forced = observe([tmp_path], root=tmp_path, provider="openai")
    assert [o.provider for o in forced.observations] == ["openai"]
    with pytest.raises(UnknownAdapterError, match="known adapters: anthropic"):
        observe([tmp_path], provider="nope")


def test_gzipped_request_response_lists_and_unreadable_files(tmp_path: Path) -> None:
    pair = _pair("openai", "gpt-4o", _answer("openai", "call_z"))
    data = {"requests": [pair["request"]], "responses": [pair["response"]]}
    (tmp_path / "lists.yaml.gz").write_bytes(gzip.compress(yaml.safe_dump(data).encode()))
    grpc = {"interactions": [{"request_sample": {}, "response_sample": {}}]}
    (tmp_path / "xai").mkdir()
    (tmp_path / "xai" / "t.xai.yaml").write_text(yaml.safe_dump(grpc), encoding="utf-8")
    observed = observe([tmp_path], root=tmp_path)
    assert [(o.file, o.provider) for o in observed.observations] == [("lists.yaml.gz", "openai")]
    (skipped,) = observed.skipped
    assert (skipped.file, skipped.label, skipped.interaction) == ("xai/t.xai.yaml", "xai", None)
    assert "gRPC" in skipped.reason
    # Named on its own, a file that is not an HTTP cassette is an error, not a skip.
    with pytest.raises(CassetteFormatError, match="gRPC"):
        observe([tmp_path / "xai" / "t.xai.yaml"])


def test_fctest_s_own_cassettes_count_only_when_recorded_against_the_provider(
    tmp_path: Path,
) -> None:
    shipped = REPO / "cassettes" / "openai" / "single_call.yaml"
    emulated = observe([shipped], root=REPO)
    assert emulated.observations == ()
    (skipped,) = emulated.skipped
    assert (skipped.file, skipped.label) == ("cassettes/openai/single_call.yaml", "openai")
    assert skipped.reason == (
        "an fctest cassette with provenance 'reference-server': not the provider's answer"
    )
    live = tmp_path / "single_call.yaml"
    text = shipped.read_text(encoding="utf-8")
    live.write_text(text.replace("source: reference-server", "source: live", 1), encoding="utf-8")
    (seen,) = observe([live], root=tmp_path).observations
    assert seen.provider == "openai"
    assert seen.date == yaml.safe_load(text)["fctest"]["date"]


def test_user_errors_are_typed_and_reported_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(UsageError, match="no such file or folder"):
        observe([tmp_path / "missing"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="no cassettes in this folder"):
        observe([tmp_path / "empty"])
    notes = tmp_path / "notes.yaml"
    notes.write_text("title: not a cassette\n", encoding="utf-8")
    package = tmp_path / "package.json"
    package.write_text('{"name": "app", "version": "1.0.0"}', encoding="utf-8")
    for args, message in (
        ([str(tmp_path / "missing")], "no such file or folder"),
        ([str(notes)], "unknown cassette layout"),
        ([str(package)], "not a recording: no adapter reads it"),
        ([str(notes), "--provider", "nope"], "no adapter named 'nope'"),
    ):
        assert main(["matrix", "observe", *args]) == 2
        err = capsys.readouterr().err
        assert err.startswith("fctest matrix: error: ")
        assert message in err
        assert "Traceback" not in err


def test_the_command_writes_the_file_prints_counts_and_merges(
    recordings: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(recordings.parent)
    out = tmp_path / "obs.json"
    assert main(["matrix", "observe", "my_cassettes", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "openai" in err
    assert "1 api.mistral.ai: no registered adapter recognises this endpoint" in err
    loaded = ObservationsFile.load(out)
    assert loaded.to_json() == json.loads(out.read_text(encoding="utf-8"))
    assert not any(Path(o.file).is_absolute() for o in loaded.observations)
    assert loaded.run.options["paths"] == ["my_cassettes"]
    merged = tmp_path / "matrix.json"
    assert main(["matrix", "merge", str(out), "-o", str(merged)]) == 0
    assert load_any(merged) == load_any(out)
    assert main(["matrix", "observe", "my_cassettes"]) == 0  # to stdout
    assert json.loads(capsys.readouterr().out)["format"] == "fctest-observations"


# --- the shared corpus -----------------------------------------------------------------------


def _corpus_entries() -> Iterator[dict[str, Any]]:
    yield from json.loads((CORPUS / "index.json").read_text(encoding="utf-8"))["files"]


@pytest.fixture(scope="module")
def corpus() -> ObservationsFile:
    if not (CORPUS / "index.json").is_file():
        pytest.skip(f"the shared corpus is not at {CORPUS} (it lives beside the repository)")
    return observe([CORPUS], root=REPO)


# What observe reads in ../shared/corpus: per adapter (or the host no adapter speaks for).
CORPUS_COUNTS = {
    "anthropic": {"decoded": 22, "skipped": 0, "failed": 0},
    "azure-openai": {"decoded": 1, "skipped": 0, "failed": 0},
    "gemini": {"decoded": 44, "skipped": 0, "failed": 0},
    "groq": {"decoded": 12, "skipped": 0, "failed": 0},
    # The two native /api/chat recordings; the three /v1 ones below are OpenAI's wire.
    "ollama": {"decoded": 2, "skipped": 0, "failed": 0},
    "openai": {"decoded": 21, "skipped": 0, "failed": 0},
    "openai-responses": {"decoded": 23, "skipped": 0, "failed": 0},
    "openrouter": {"decoded": 8, "skipped": 0, "failed": 0},
    # Two HTTP fixtures decoded; the three gRPC cassettes are not HTTP traffic.
    "xai": {"decoded": 2, "skipped": 3, "failed": 0},
    # No adapter for these endpoints (Bedrock's JSON and AWS event streams, Cohere, Mistral,
    # the OpenAI-compatible endpoints of Ollama and Gemini), nor for the index file itself.
    "api.cohere.com": {"decoded": 0, "skipped": 5, "failed": 0},
    "api.mistral.ai": {"decoded": 0, "skipped": 7, "failed": 0},
    "bedrock-runtime.us-east-1.amazonaws.com": {"decoded": 0, "skipped": 18, "failed": 0},
    "bedrock-runtime.us-west-2.amazonaws.com": {"decoded": 0, "skipped": 4, "failed": 0},
    "generativelanguage.googleapis.com": {"decoded": 0, "skipped": 2, "failed": 0},
    "localhost:11434": {"decoded": 0, "skipped": 1, "failed": 0},
    "ollama.com": {"decoded": 0, "skipped": 2, "failed": 0},
    "unknown": {"decoded": 0, "skipped": 1, "failed": 0},
}


def test_the_corpus_counts(corpus: ObservationsFile) -> None:
    assert corpus.counts() == CORPUS_COUNTS
    assert not [o for o in corpus.observations if o.failure is not None]
    aws = [s for s in corpus.skipped if "AWS event stream" in s.reason]
    assert len(aws) == 7
    assert {s.label for s in aws} <= {
        "bedrock-runtime.us-east-1.amazonaws.com",
        "bedrock-runtime.us-west-2.amazonaws.com",
    }


# Corpus folders of providers fctest has adapters for, and the recordings of them no adapter
# reads: gRPC cassettes (not HTTP) and Gemini's OpenAI-compatible endpoint (not the Gemini API,
# and not OpenAI's server either: ``--provider openai`` reads it as OpenAI's).
OURS = {
    "openai",
    "azure_openai",
    "anthropic",
    "gemini",
    "vertex_gemini",
    "groq",
    "ollama",
    "openrouter",
    "xai",
}
NOT_OURS = (
    "test_compatible_api_with_tool_calls_without_id.yaml",
    ".xai.yaml",
    # Ollama's OpenAI-compatible /v1 route (local and cloud): OpenAI's wire, not Ollama's.
    "test_ollama_cloud_tool_output.yaml",
    "test_ollama_local_native_output_uses_json_schema.yaml",
)


def test_every_http_interaction_of_a_supported_provider_is_decoded(
    corpus: ObservationsFile,
) -> None:
    decoded: dict[str, set[int]] = {}
    for o in corpus.observations:
        decoded.setdefault(o.file.removeprefix("../shared/corpus/"), set()).add(o.interaction)
    for entry in _corpus_entries():
        if entry["provider"] not in OURS or entry["file"].endswith(NOT_OURS):
            continue
        assert decoded.get(entry["file"]) == set(range(entry["n_interactions"])), entry["file"]
    assert {o.provider for o in corpus.observations} == set(adapter_names())


def test_corpus_observations_cite_relative_paths_and_say_what_was_seen(
    corpus: ObservationsFile,
) -> None:
    assert all(o.file.startswith("../shared/corpus/") for o in corpus.observations)
    calls = [o for o in corpus.observations if o.calls]
    assert len(calls) > 60
    assert all(o.model for o in corpus.observations if o.endpoint is not None)
    results = corpus.results().results
    assert {r.capability for r in results} == set(OBSERVED_CAPABILITIES)
