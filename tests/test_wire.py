"""The sans-I/O boundary values: HttpRequest never shows a credential, HttpResponse headers are
lower-cased."""

from __future__ import annotations

import pytest

from fctest._wire import HttpRequest, HttpResponse

SECRET = "sk-live-0123456789abcdef"


def test_http_request_repr_redacts_credentials() -> None:
    r = HttpRequest(
        "POST",
        "https://api.openai.com/v1/chat/completions",
        {"Authorization": f"Bearer {SECRET}", "x-goog-api-key": SECRET, "Accept": "text/plain"},
        b'{"model": "m"}',
    )
    for text in (repr(r), str(r), f"{r}", repr([r])):
        assert SECRET not in text
    assert repr(r) == (
        "HttpRequest(method='POST', url='https://api.openai.com/v1/chat/completions', "
        "headers={'authorization': '<redacted>', 'x-goog-api-key': '<redacted>', "
        "'accept': 'text/plain'}, body=<14 bytes>)"
    )
    # the value itself still carries the key: the transport must send it
    assert r.headers["Authorization"] == f"Bearer {SECRET}"


def test_http_request_json() -> None:
    assert HttpRequest("POST", "u", body=b'{"a": [1]}').json() == {"a": [1]}
    assert HttpRequest("GET", "u").json() is None


def test_http_response_lowercases_headers() -> None:
    r = HttpResponse(200, {"Content-Type": "application/json", "Retry-After": "1"}, b"{}")
    assert dict(r.headers) == {"content-type": "application/json", "retry-after": "1"}
    assert r.ok
    assert not HttpResponse(404).ok
    assert not HttpResponse(199).ok
    assert HttpResponse(299).ok
    assert not HttpResponse(300).ok
    assert repr(HttpResponse(500, {}, b"abc")) == "HttpResponse(status=500, body=<3 bytes>)"


def test_http_response_text_survives_bad_utf8() -> None:
    assert HttpResponse(200, {}, "é".encode()).text() == "é"
    assert HttpResponse(200, {}, b"ok \xff").text() == "ok \ufffd"


@pytest.mark.parametrize("value", [HttpRequest("GET", "u"), HttpResponse(200)])
def test_wire_values_are_frozen(value: object) -> None:
    with pytest.raises(AttributeError):
        value.body = b"x"  # type: ignore[attr-defined]
