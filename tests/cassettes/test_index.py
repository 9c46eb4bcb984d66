"""The index the reference server replays from: request bodies keyed as JSON, and the diff its
404 names the nearest recordings with. Serving it over HTTP is tested in tests/test_server.py."""

from __future__ import annotations

from pathlib import Path

from fctest._cassettes._index import CassetteIndex, body_key, diff_paths
from fctest._wire import HttpRequest


def test_body_key_and_diff_paths() -> None:
    assert body_key(b'{"a": 1.0, "b": [1]}') == body_key(b'{"b":[1],"a":1}')
    assert body_key(b'{"a": 1.5}') != body_key(b'{"a": 1}')
    assert body_key(b"raw") != body_key(b"raw ")
    assert diff_paths({"a": {"b/c": 1, "d": [1, 2]}}, {"a": {"b/c": 2, "d": [1]}, "e": 0}) == [
        "/a/b~1c",
        "/a/d/1",
        "/e",
    ]
    assert diff_paths(1, True) == ["/"]


CASSETTE = """\
interactions:
- request:
    method: POST
    uri: https://api.openai.com/v1/chat/completions
    body: '{"model": "a", "n": 1}'
    headers: {}
  response:
    status: {code: 200, message: OK}
    headers: {content-type: [application/json]}
    body: {string: '{"ok": true}'}
"""


def test_a_request_finds_its_recording_or_the_nearest_ones(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(CASSETTE)
    (tmp_path / "notes.txt").write_text("not a cassette")
    index = CassetteIndex(tmp_path)
    assert (index.cassettes, index.interactions, index.skipped) == (1, 1, [])
    url = "http://127.0.0.1:1/openai/v1/chat/completions"  # a prefix the recording lacks
    found = index.find(HttpRequest("POST", url, {}, b'{"n": 1.0, "model": "a"}'))
    assert found is not None
    assert (found.cassette, found.index, found.interaction.response.body) == (
        "c.yaml",
        0,
        b'{"ok": true}',
    )
    other = HttpRequest("POST", url, {}, b'{"model": "b", "n": 1}')
    assert index.find(other) is None
    assert index.nearest(other) == [
        {
            "cassette": "c.yaml",
            "interaction": 0,
            "method": "POST",
            "path": "/v1/chat/completions",
            "body_differs_at": ["/model"],
        }
    ]
