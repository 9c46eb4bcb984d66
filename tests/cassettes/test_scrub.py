"""Secrets never reach a cassette file: keys planted in every place a request or response can
carry one are recorded through the real path (vcrpy intercepting httpx, the plugin's record
hooks, the serializer) and must not appear in the file."""

from __future__ import annotations

import json
import string
import tempfile
from pathlib import Path

import httpx
from hypothesis import given
from hypothesis import strategies as st

from fctest._cassettes import Cassette, CassetteSpec
from fctest._cassettes._scrub import Secrets, scrub_text
from fctest.providers import get_adapter

# Keys as the providers issue them, and arbitrary ones with no recognisable shape.
PREFIXES = ("sk-", "sk-proj-", "sk-ant-api03-", "AIza", "xai-", "gsk_", "")
keys = st.builds(
    lambda prefix, body: prefix + body,
    st.sampled_from(PREFIXES),
    st.text(string.ascii_letters + string.digits, min_size=16, max_size=40),
)

# (header name, how the value is sent) for every credential a request may carry.
REQUEST_HEADERS = (
    ("authorization", "Bearer {}"),
    ("x-api-key", "{}"),
    ("api-key", "{}"),
    ("x-goog-api-key", "{}"),
    ("cookie", "session={}; theme=dark"),
    ("openai-organization", "{}"),
    ("openai-project", "{}"),
    ("proxy-authorization", "Basic {}"),
)


def record(directory: Path, planted: list[str]) -> str:
    """Record one exchange carrying ``planted`` everywhere; the cassette file's text."""
    (
        bearer, x_api, api, goog, cookie, org, project, proxy,
        query, body_bearer, body_field, nested, reply_cookie,
    ) = planted  # fmt: skip
    spec = CassetteSpec(
        path=directory / "openai" / "planted.yaml",
        name="planted",
        provider="openai",
        record_mode="all",
        canonical_base="https://api.openai.com/v1",
        base_url="http://127.0.0.1:9/v1",
        credential_env=(),
    )
    headers = {
        name: template.format(value)
        for (name, template), value in zip(
            REQUEST_HEADERS, [bearer, x_api, api, goog, cookie, org, project, proxy], strict=True
        )
    }
    body = {
        "model": "m",
        "messages": [{"role": "user", "content": f"my token: Bearer {body_bearer}"}],
        "api_key": body_field,
        "metadata": {"client_secret": nested},
    }

    def handler(request: httpx.Request) -> httpx.Response:
        # A provider echoing what it was sent: the key in an error, the org id in a header.
        echoed = {
            "error": {"message": f"Incorrect API key provided: {bearer}. Key {x_api} / {goog}"},
            "org": org,
            "query": query,
        }
        return httpx.Response(
            401,
            headers={
                "set-cookie": f"__cf_bm={reply_cookie}; path=/",
                "openai-organization": org,
                "openai-project": project,
            },
            json=echoed,
        )

    cassette = Cassette(spec, get_adapter("openai")).open()
    try:
        with httpx.Client(transport=httpx.MockTransport(handler)) as client:
            response = client.post(
                f"http://127.0.0.1:9/v1/chat/completions?key={query}&api-version=2",
                headers=headers,
                content=json.dumps(body).encode(),
            )
            assert response.status_code == 401  # the recording really happened
    finally:
        cassette.close()
    return spec.path.read_text(encoding="utf-8")


@given(st.lists(keys, min_size=13, max_size=13, unique=True))
def test_no_planted_key_reaches_a_cassette(planted: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        text = record(Path(tmp), planted)
    leaked = [k for k in planted if k in text]
    assert leaked == [], text
    assert "<redacted>" in text
    assert "uri: https://api.openai.com/v1/chat/completions?key=<redacted>&api-version=2" in text


def test_known_values_and_shapes_are_replaced_in_text() -> None:
    secrets = Secrets(["my-own-key-1234567"])
    text = (
        "key my-own-key-1234567, header Bearer abc.def-ghi_jkl, sk-ant-api03-AAAAAAAAAAAAAAAAAAAA"
    )
    assert scrub_text(text, secrets) == "key <redacted>, header Bearer <redacted>, <redacted>"
    assert scrub_text("task-force and ask-me stay", Secrets()) == "task-force and ask-me stay"
