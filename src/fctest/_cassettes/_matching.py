"""Matching a request against a cassette: one normalised key per request, then a dict lookup.

vcrpy compares every incoming request with every recorded one, and its ``body`` matcher builds a
text diff for each that does not match (tens of milliseconds per request at 100 recorded
interactions: ``benchmarks/bench_replay.py`` measures it). Here a request is normalised once
into a ``Key``: the method, the URL under the provider's canonical base URL (the recording may
have been made against a loopback port or a base-URL override) with credential parameters
redacted and the query sorted, and the body as canonical JSON (sorted keys, secrets redacted,
volatile fields dropped). Recorded requests are keyed the same way when the cassette loads, so
replay is a dict lookup whatever the cassette's size. The readable diff (``_diff``: JSON paths
that changed, the nearest recorded requests) is built only when nothing matches.

Nothing here imports pytest or vcrpy.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .._pointer import split_pointer
from ._scrub import Secrets, scrub_json, scrub_text, scrub_url

__all__ = ["DEFAULT_IGNORED_FIELDS", "Key", "Matcher"]

Key: TypeAlias = tuple[str, str, str]
"""``(METHOD, canonical URL with a sorted query, canonical body text)``."""

DEFAULT_IGNORED_FIELDS: tuple[str, ...] = (
    "/user",
    "/metadata/user_id",
    "/prompt_cache_key",
    "/safety_identifier",
)
"""Request body fields that identify a caller or a cache rather than the request (OpenAI
``user``, ``prompt_cache_key``, ``safety_identifier``; Anthropic ``metadata.user_id``): SDKs
and apps often fill them with per-run values, and they change nothing an adapter decodes."""


def _parse_patterns(patterns: Iterable[str]) -> tuple[tuple[str, ...], ...]:
    out = []
    for pattern in patterns:
        pattern = pattern.strip()
        if not pattern:
            continue
        if not pattern.startswith("/"):
            # Accept dotted paths too (metadata.user_id), as people write them in ini files.
            pattern = "/" + pattern.replace(".", "/")
        out.append(split_pointer(pattern))
    return tuple(out)


def _drop(node: Any, segments: Sequence[str]) -> None:
    head, rest = segments[0], segments[1:]
    if isinstance(node, dict):
        keys = list(node) if head == "*" else [head] if head in node else []
        for key in keys:
            if rest:
                _drop(node[key], rest)
            else:
                del node[key]
    elif isinstance(node, list):
        if head == "*":
            indexes = list(range(len(node)))
        elif head.isdigit() and int(head) < len(node):
            indexes = [int(head)]
        else:
            indexes = []
        for i in reversed(indexes):
            if rest:
                _drop(node[i], rest)
            else:
                del node[i]


@dataclass(frozen=True, slots=True)
class Matcher:
    """How one cassette's requests are keyed.

    ``canonical_base``: the provider's base URL every request is stored under. ``aliases``:
    base URLs that stand for it in this run (a ``--fctest-base-url`` override, the reference
    server's loopback address). ``ignored``: JSON pointers (``*`` matches any key or index)
    of body fields left out of the comparison.
    """

    canonical_base: str
    aliases: tuple[str, ...] = ()
    ignored: tuple[tuple[str, ...], ...] = ()

    @classmethod
    def build(
        cls, canonical_base: str, aliases: Iterable[str] = (), ignored: Iterable[str] = ()
    ) -> Matcher:
        canonical = canonical_base.rstrip("/")
        alias_list = sorted(
            {a.rstrip("/") for a in aliases if a and a.rstrip("/") != canonical},
            key=len,
            reverse=True,  # the longest prefix wins
        )
        return cls(canonical, tuple(alias_list), _parse_patterns(ignored))

    # --- URLs -----------------------------------------------------------------------------
    def canonical_url(self, url: str, secrets: Secrets) -> str:
        """``url`` under the canonical base, credentials redacted (the form that is stored)."""
        url = scrub_url(url, secrets)
        for alias in self.aliases:
            if url == alias or url.startswith((alias + "/", alias + "?")):
                return self.canonical_base + url[len(alias) :]
        return url

    @staticmethod
    def _url_key(url: str) -> str:
        parts = urlsplit(url)
        if not parts.query:
            return url
        query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)), safe="<>")
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))

    # --- bodies ---------------------------------------------------------------------------
    def body_value(self, body: bytes | str | None, secrets: Secrets, *, scrub: bool = True) -> Any:
        """The body as compared: parsed JSON with secrets redacted and ignored fields dropped,
        or the (scrubbed) text of a body that is not JSON, or ``None`` for no body.
        ``scrub=False`` skips the redaction (for bodies known to hold no secret)."""
        if body is None or body == b"" or body == "":
            return None
        if isinstance(body, bytes):
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                return {"$binary": body.hex()}
        else:
            text = body
        try:
            data = json.loads(text)
        except ValueError:
            return scrub_text(text, secrets) if scrub else text
        if scrub and secrets.might_be_in(text):
            data = scrub_json(data, secrets)
        for pattern in self.ignored:
            _drop(data, pattern)
        return data

    def key(
        self,
        method: str,
        url: str,
        body: bytes | str | None,
        secrets: Secrets,
        *,
        scrub: bool = True,
    ) -> tuple[Key, Any]:
        """The lookup key of a request, and its body as compared (for diffs).

        Scrubbing is idempotent, so a recorded (already scrubbed) request keys the same with
        ``scrub=False``; a live request holding no secret does too, which lets replay try the
        cheap key first and scrub only when that misses."""
        value = self.body_value(body, secrets, scrub=scrub)
        if value is None or isinstance(value, str):
            text = "" if value is None else "t:" + value
        else:
            text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return (method.upper(), self._url_key(self.canonical_url(url, secrets)), text), value
