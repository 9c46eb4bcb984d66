"""Reading recorded HTTP traffic in the formats real projects use, back into wire bytes.

Users' cassettes come from many recorders (see ``shared/corpus/README.md``):

1. plain vcrpy YAML (``interactions: [{request, response}]``), gzip bodies possibly stored as
   base64 ``!!binary`` with ``Content-Encoding: gzip`` still in the headers;
2. vcrpy YAML with ``parsed_body`` mappings (pydantic-ai): the original bytes are gone, so the
   body is re-serialised as JSON;
3. gzipped YAML with parallel ``requests:`` / ``responses:`` lists (langchain-tests);
4. response-only fixtures (vercel/ai): ``.json`` is one body, ``.chunks.txt`` one SSE ``data:``
   payload per line; no request, status or headers were recorded (200 is assumed and said so);
5. fctest's own (``_serializer``): ``load_cassette`` reads them as vcrpy YAML with parsed
   bodies, ``load_interactions`` (what the reference server replays) with the serializer
   itself, which gives back every recorded byte.

Every format becomes a list of ``Interaction`` holding ``HttpRequest``/``HttpResponse`` values
with bodies as the provider sent them (decompressed). YAML is always loaded safely: these are
files users did not write. gRPC cassettes (protobuf, not HTTP) are refused with a clear error.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._exceptions import CassetteFormatError
from .._wire import HttpRequest, HttpResponse

__all__ = ["Interaction", "load_cassette", "load_interactions", "recorded_provenance"]

_STREAM_TYPES = ("event-stream", "ndjson", "vnd.amazon.eventstream")
# Streaming endpoints, for recordings whose headers were dropped or redacted: Gemini
# ``streamGenerateContent?alt=sse``, Bedrock ``/converse-stream`` and
# ``/invoke-with-response-stream`` (AWS event stream).
_STREAM_URLS = (
    "alt=sse",
    ":streamGenerateContent",
    "/converse-stream",
    "/invoke-with-response-stream",
)
# fctest's own cassettes: a top-level ``fctest`` provenance, a JSON layout, or a stream stored
# as a mapping of events (``stream: true`` inside a request body does not match).
_FCTEST_FORMAT = re.compile(
    rb"^(?:fctest:|\s+json_style:|\s+stream:[ \t]*\r?\n\s+(?:format|events|json_style):)", re.M
)


@dataclass(frozen=True, slots=True)
class Interaction:
    """One recorded exchange. ``request`` is ``None`` for response-only fixtures."""

    request: HttpRequest | None
    response: HttpResponse
    note: str = ""

    @property
    def is_stream(self) -> bool:
        """Whether the response is a stream (SSE, NDJSON or an AWS event stream) rather than one
        JSON body. An error status is never a stream, even in answer to a stream request."""
        ctype = self.response.headers.get("content-type", "").lower()
        if any(kind in ctype for kind in _STREAM_TYPES):
            return True
        if not self.response.ok:
            return False
        if self.request is not None:
            if any(hint in self.request.url for hint in _STREAM_URLS):
                return True
            try:
                body = self.request.json()
            except ValueError:
                body = None
            if isinstance(body, dict) and body.get("stream") is True:
                return True
        return self.response.body.lstrip()[:5] in (b"data:", b"event")


def _yaml_load(raw: bytes) -> Any:
    import yaml  # imported here: `import fctest.server` stays light

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(raw, Loader=loader)  # a safe loader, always
    except yaml.YAMLError as exc:  # includes tags a safe loader refuses (!!python/object)
        # a ValueError: load_cassette turns it into a CassetteFormatError naming the file
        raise ValueError(f"not YAML that loads safely: {exc}") from exc


def _headers(raw: Any) -> dict[str, str]:
    """vcrpy stores ``{name: [values]}``; some recorders store plain strings."""
    out: dict[str, str] = {}
    for name, value in (raw or {}).items():
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        out[str(name).lower()] = str(value)
    return out


def _decompress(body: bytes, headers: dict[str, str]) -> bytes:
    """Undo ``Content-Encoding`` when the stored body is still compressed, and drop the header."""
    encoding = headers.get("content-encoding", "").lower()
    if body[:2] == b"\x1f\x8b":
        body = gzip.decompress(body)
    elif encoding == "deflate":
        with contextlib.suppress(zlib.error):  # else the recorder already decoded it
            body = zlib.decompress(body)
    if encoding in ("gzip", "deflate"):
        del headers["content-encoding"]
        headers.pop("content-length", None)
    return body


def _body(side: dict[str, Any], headers: dict[str, str]) -> bytes:
    if "stream" in side or "json_style" in side:
        # fctest's own cassettes: a stream stored as a list of events, or a JSON body with the
        # layout that gives back its exact bytes. Imported here: the serializer imports yaml,
        # which serving scenarios (``import fctest.server``) does not need.
        from ._serializer import decode_response_body

        return decode_response_body(side)
    if "parsed_body" in side:
        return json.dumps(side["parsed_body"], ensure_ascii=False).encode("utf-8")
    body = side.get("body")
    if isinstance(body, dict):
        body = body.get("string")
    if body is None:
        return b""
    if isinstance(body, str):
        # Text cannot still be compressed: the recorder decoded it and kept the header.
        headers.pop("content-encoding", None)
        return body.encode("utf-8")
    if isinstance(body, bytes):
        return _decompress(body, headers)
    raise CassetteFormatError(f"unexpected body of type {type(body).__name__}")


def _fit_length(headers: dict[str, str], body: bytes) -> dict[str, str]:
    """Drop a ``content-length`` the stored body no longer has (re-serialised ``parsed_body``,
    characters folded by the recorder, a redacted value): replaying it would lie."""
    if headers.get("content-length", str(len(body))) != str(len(body)):
        del headers["content-length"]
    return headers


def _request(side: dict[str, Any]) -> HttpRequest:
    headers = _headers(side.get("headers"))
    body = _body(side, headers)
    return HttpRequest(
        method=str(side.get("method", "POST")).upper(),
        url=str(side.get("uri") or side.get("url") or ""),
        headers=_fit_length(headers, body),
        body=body,
    )


def _response(side: dict[str, Any]) -> HttpResponse:
    headers = _headers(side.get("headers"))
    status = side.get("status")
    code = status.get("code") if isinstance(status, dict) else status
    body = _body(side, headers)
    return HttpResponse(status=int(code or 200), headers=_fit_length(headers, body), body=body)


def _vercel(path: Path, raw: bytes) -> list[Interaction]:
    note = "response-only fixture: status and headers were not recorded (200 assumed)"
    if path.name.endswith(".chunks.txt"):
        lines = [line for line in raw.splitlines() if line.strip()]
        body = b"".join(b"data: " + line + b"\n\n" for line in lines)
        headers = {"content-type": "text/event-stream"}
    else:
        body = raw
        headers = {"content-type": "application/json"}
    return [Interaction(None, HttpResponse(200, headers, body), note)]


def load_cassette(path: str | Path) -> list[Interaction]:
    """Every interaction recorded in ``path``, whichever of the known formats it is in.

    Raises ``CassetteFormatError`` naming the file for anything that is not a cassette.
    """
    path = Path(path)
    raw = path.read_bytes()
    try:
        return _load(path, raw)
    except CassetteFormatError:
        raise
    except (ValueError, TypeError, AttributeError, KeyError, EOFError, OSError, zlib.error) as exc:
        # Bad gzip, YAML or JSON, or a layout that is not the one it looks like.
        raise CassetteFormatError(
            f"{path}: not a readable cassette: {type(exc).__name__}: {exc}"
        ) from exc


def _load(path: Path, raw: bytes) -> list[Interaction]:
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if path.name.endswith(".chunks.txt"):
        return _vercel(path, raw)
    if path.suffix == ".json":
        data = json.loads(raw)
        if not (isinstance(data, dict) and "interactions" in data):
            return _vercel(path, raw)
    else:
        data = _yaml_load(raw)
    if not isinstance(data, dict):
        raise CassetteFormatError(f"{path}: not a cassette (top level is {type(data).__name__})")
    if "interactions" in data:
        pairs = data["interactions"] or []
        for pair in pairs:
            if not (isinstance(pair, dict) and "request" in pair and "response" in pair):
                keys = sorted(pair) if isinstance(pair, dict) else type(pair).__name__
                raise CassetteFormatError(
                    f"{path}: interactions without request/response (keys {keys}); "
                    "gRPC cassettes (request_sample/response_sample) are not HTTP traffic"
                )
        return [Interaction(_request(p["request"]), _response(p["response"])) for p in pairs]
    if "requests" in data and "responses" in data:
        return [
            Interaction(_request(q), _response(r))
            for q, r in zip(data["requests"], data["responses"], strict=True)
        ]
    raise CassetteFormatError(f"{path}: unknown cassette layout (top-level keys {sorted(data)})")


def recorded_provenance(path: str | Path) -> dict[str, Any] | None:
    """What a cassette fctest wrote says of where its bytes come from (its top-level ``fctest``
    mapping: ``source`` ``live``, ``reference-server`` or ``compatible-server``, ``date``,
    ``model``...), or ``None`` for any other file (other recorders keep no provenance)."""
    path = Path(path)
    if path.suffix not in (".yaml", ".yml"):
        return None
    raw = path.read_bytes()
    if not raw.startswith(b"fctest:"):
        return None
    try:
        data = _yaml_load(raw)
    except ValueError:
        return None
    found = data.get("fctest") if isinstance(data, dict) else None
    return dict(found) if isinstance(found, dict) else None


def load_interactions(path: Path) -> list[Interaction]:
    """``load_cassette``, except that a cassette fctest wrote is read by its own serializer,
    which gives back every recorded byte (``load_cassette`` re-serialises its JSON bodies)."""
    raw = path.read_bytes()
    if path.suffix in (".yaml", ".yml") and _FCTEST_FORMAT.search(raw):
        return _load_fctest(path, raw)
    return load_cassette(path)


def _load_fctest(path: Path, raw: bytes) -> list[Interaction]:
    import yaml

    from ._serializer import decode_cassette  # imported here, as in ``_body``

    try:
        decoded = decode_cassette(raw.decode("utf-8"))
        return [_decoded(q, r) for q, r in decoded.interactions]
    except (ValueError, TypeError, KeyError, AttributeError, yaml.YAMLError) as exc:
        raise CassetteFormatError(f"{path}: not a readable fctest cassette: {exc}") from exc


def _decoded(request: Mapping[str, Any], response: Mapping[str, Any]) -> Interaction:
    """An interaction from the vcrpy-shaped dicts the serializer decodes."""
    status = response["status"]
    code = status.get("code") if isinstance(status, Mapping) else status
    return Interaction(
        HttpRequest(
            str(request["method"]).upper(),
            str(request["uri"]),
            _headers(request["headers"]),
            request["body"] or b"",
        ),
        HttpResponse(int(code or 200), _headers(response["headers"]), response["body"]["string"]),
    )
