"""What counts as a credential: one list of names that every net (errors, URLs, the server's log,
cassettes) reads."""

from __future__ import annotations

from fctest._secrets import NAME_HINTS, SECRET_HEADERS, is_secret_name, is_secret_param


def test_secret_names() -> None:
    for name in ("Authorization", "x-api-key", "api_key", "openai-organization", "Set-Cookie",
                 "client_secret", "x-goog-api-key", "anthropic-organization-id", "openai-project"):  # fmt: skip
        assert is_secret_name(name), name
    for name in ("max_tokens", "x-ratelimit-remaining-tokens", "content-type", "signature",
                 "thoughtSignature", "input_tokens", "description"):  # fmt: skip
        assert not is_secret_name(name), name


def test_every_query_parameter_a_net_redacted_before_is_still_a_secret() -> None:
    # The lists redact_url, the server's log and the cassette scrubber each kept before.
    for name in ("key", "api_key", "api-key", "apikey", "access_token", "token", "sig",
                 "signature", "code", "x-amz-signature", "X-Amz-Credential",
                 "x-amz-security-token", "client_secret", "API_KEY"):  # fmt: skip
        assert is_secret_param(name), name
    for name in ("alt", "api-version", "model", "stream", "max_tokens"):
        assert not is_secret_param(name), name


def test_every_secret_name_holds_a_hint() -> None:
    # A body is walked for secret fields only when it holds one of the hints.
    names = [*SECRET_HEADERS, "client_secret", "refresh-token", "idToken", "project_id", "passwd"]
    for name in names:
        assert is_secret_name(name), name
        assert any(hint in name.lower() for hint in NAME_HINTS), name
