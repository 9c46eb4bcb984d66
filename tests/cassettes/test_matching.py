"""Request keys: canonical URLs, normalised bodies, volatile fields."""

from __future__ import annotations

import json

from fctest._cassettes._matching import DEFAULT_IGNORED_FIELDS, Matcher
from fctest._cassettes._scrub import Secrets

LOOPBACK = "http://127.0.0.1:54321/openai/v1"


def key(matcher: Matcher, url: str, body: object) -> tuple[str, str, str]:
    raw = json.dumps(body).encode() if not isinstance(body, bytes) else body
    return matcher.key("post", url, raw, Secrets())[0]


def test_an_alias_base_url_is_stored_and_matched_as_the_canonical_one() -> None:
    matcher = Matcher.build("https://api.openai.com/v1/", [LOOPBACK])
    canonical = matcher.canonical_url(LOOPBACK + "/chat/completions?b=2&a=1", Secrets())
    assert canonical == "https://api.openai.com/v1/chat/completions?b=2&a=1"
    assert key(matcher, LOOPBACK + "/chat/completions?b=2&a=1", {}) == key(
        matcher, "https://api.openai.com/v1/chat/completions?a=1&b=2", {}
    )
    # A prefix that only looks similar is not the alias.
    assert matcher.canonical_url(LOOPBACK + "x/y", Secrets()) == LOOPBACK + "x/y"


def test_credentials_in_urls_are_redacted_and_do_not_matter() -> None:
    matcher = Matcher.build("https://generativelanguage.googleapis.com")
    secrets = Secrets()
    url = "https://user:pw123456789@generativelanguage.googleapis.com/v1beta/m:x?key=AIzaSECRET&alt=sse"
    assert matcher.canonical_url(url, secrets) == (
        "https://generativelanguage.googleapis.com/v1beta/m:x?key=<redacted>&alt=sse"
    )
    assert "AIzaSECRET" in list(secrets)
    other = url.replace("AIzaSECRET", "AIzaOTHERKEY")
    assert key(matcher, url, {}) == key(matcher, other, {})


def test_bodies_compare_as_json_with_volatile_fields_ignored() -> None:
    matcher = Matcher.build("https://x", ignored=[*DEFAULT_IGNORED_FIELDS, "messages.*.id"])
    a = {"model": "m", "user": "run-1", "messages": [{"id": "1", "content": "hi"}]}
    b = {"messages": [{"content": "hi", "id": "2"}], "model": "m", "user": "run-2"}
    assert key(matcher, "https://x/c", a) == key(matcher, "https://x/c", b)
    c = {**a, "temperature": 0.5}
    assert key(matcher, "https://x/c", a) != key(matcher, "https://x/c", c)
    # Whitespace and key order never matter; the method does.
    assert key(matcher, "https://x/c", b'{"a":1,"b":2}') == key(
        matcher, "https://x/c", b'{ "b": 2, "a": 1 }'
    )
    assert matcher.key("GET", "https://x/c", b"", Secrets())[0] != key(matcher, "https://x/c", b"")


def test_secrets_in_bodies_do_not_change_the_key() -> None:
    matcher = Matcher.build("https://x")
    a = {"api_key": "sk-live-0123456789abcdefghij", "note": "Bearer abcdefghijklmnop"}
    b = {"api_key": "<redacted>", "note": "Bearer <redacted>"}
    assert key(matcher, "https://x/c", a) == key(matcher, "https://x/c", b)
