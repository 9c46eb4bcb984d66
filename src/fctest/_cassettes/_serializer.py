"""A vcrpy serializer for cassettes people review in a diff.

vcrpy's YAML serializer stores every body as one string: a JSON body is a single long line and
an SSE stream one string with every newline doubled. This one keeps vcrpy's cassette layout
(``version``, ``interactions: [{request, response}]``, so vcrpy and pytest-recording can load
the files with it) but writes bodies for reading:

- a JSON body (object or array) as a YAML mapping under ``parsed_body``, keys in their original
  order (the key pydantic-ai's cassettes use, which ``_formats`` reads too). A
  response also records ``json_style`` when one of the usual layouts (compact, spaced, 2-space
  indent; ASCII-escaped or not; trailing newline or not) reproduces its bytes, so replay gives
  them back exactly;
- an SSE or NDJSON response body as ``stream: {format, events: [...]}``: each SSE event as a
  mapping of its fields with a JSON ``data`` parsed, each NDJSON line as its JSON value. An
  event is stored parsed only if rendering it again gives its exact bytes; otherwise it is kept
  as its text. Replay joins the events back byte for byte;
- any other text as a string, and bytes that are not UTF-8 as ``!!binary``.

Cassettes are loaded with a safe YAML loader (libyaml's when present): they may come from
anywhere. A top-level ``fctest`` mapping holds the cassette's provenance; vcrpy reads only
``interactions`` (and ``metadata``) and ignores it. Before the text is returned, every known
secret still in it is replaced: the last of the nets in ``_scrub``.

Nothing here imports pytest or vcrpy.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from ._scrub import Secrets, scrub_text

__all__ = [
    "PROVENANCE_KEY",
    "CassetteSerializer",
    "Decoded",
    "decode_cassette",
    "decode_data",
    "decode_response_body",
    "encode_cassette",
    "load_yaml",
    "serializer",
]

PROVENANCE_KEY = "fctest"
CASSETTE_VERSION = 1

_SSE_TYPES = ("text/event-stream",)
_NDJSON_TYPES = ("ndjson", "jsonl", "json-seq", "x-json-stream")
_SSE_ORDER = ("id", "event", "data", "retry")
_SSE_FIELDS = frozenset(_SSE_ORDER)

# --- JSON layouts ---------------------------------------------------------------------------
_LAYOUTS: dict[str, dict[str, Any]] = {
    "compact": {"separators": (",", ":")},
    "spaced": {"separators": (", ", ": ")},
    "indent2": {"indent": 2, "separators": (",", ": ")},
}


def _dump_json(value: Any, style: str) -> str:
    words = style.split()
    options = _LAYOUTS.get(words[0] if words else "compact", _LAYOUTS["compact"])
    text = json.dumps(value, ensure_ascii="ascii" in words, **options)
    return text + "\n" if "newline" in words else text


def _json_style(value: Any, text: str) -> str | None:
    """The layout that reproduces ``text`` from ``value``, or ``None``."""
    newline = text.endswith("\n")
    for layout in ("compact", "indent2", "spaced"):
        for ascii_flag in ("", " ascii"):
            style = layout + ascii_flag + (" newline" if newline else "")
            if _dump_json(value, style) == text:
                return style
    return None


def _parse_container(text: str) -> Any:
    """``text`` parsed as a JSON object or array, else ``None``."""
    stripped = text.lstrip()
    if not stripped or stripped[0] not in "{[":
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, (dict, list)) else None


# --- streams ----------------------------------------------------------------------------------
def _stream_kind(headers: Mapping[str, Any]) -> str | None:
    for name, values in headers.items():
        if name.lower() == "content-type":
            ctype = " ".join(values if isinstance(values, list) else [values]).lower()
            if any(t in ctype for t in _SSE_TYPES):
                return "sse"
            if any(t in ctype for t in _NDJSON_TYPES):
                return "ndjson"
    return None


def _encode_sse_event(piece: str, newline: str, style: str | None) -> tuple[Any, str | None]:
    """An SSE event as a mapping of its fields when that renders back to ``piece`` exactly.

    Fields render in one fixed order (``_SSE_ORDER``), not the mapping's, so a tool that
    re-sorts the YAML's keys cannot change the bytes; an event with its fields in another
    order is kept as text."""
    fields: dict[str, Any] = {}
    for line in piece.split(newline):
        name, sep, value = line.partition(": ")
        if not sep or name not in _SSE_FIELDS or name in fields:
            return piece, style
        fields[name] = value
    if list(fields) != [f for f in _SSE_ORDER if f in fields]:
        return piece, style
    data = fields.get("data")
    if isinstance(data, str):
        parsed = _parse_container(data)
        if parsed is not None:
            found = style or _json_style(parsed, data)
            if found is not None and _dump_json(parsed, found) == data:
                fields["data"] = parsed
                style = found
    if _render_sse_event(fields, newline, style) != piece:
        return piece, style
    return fields, style


def _render_sse_event(event: Any, newline: str, style: str | None) -> str:
    if isinstance(event, str):
        return event
    lines = []
    for name in _SSE_ORDER:
        if name in event:
            value = event[name]
            text = value if isinstance(value, str) else _dump_json(value, style or "compact")
            lines.append(f"{name}: {text}")
    return newline.join(lines)


def encode_stream(body: bytes, kind: str) -> dict[str, Any] | None:
    """A streamed body as a list of events, or ``None`` if it is not UTF-8 text."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    out: dict[str, Any] = {"format": kind}
    style: str | None = None
    events: list[Any] = []
    if kind == "sse":
        newline = "\r\n" if "\r\n\r\n" in text else "\n"
        pieces = text.split(newline * 2)
        for piece in pieces[:-1]:
            event, style = _encode_sse_event(piece, newline, style)
            events.append(event)
        if newline != "\n":
            out["newline"] = newline
    else:
        pieces = text.split("\n")
        for line in pieces[:-1]:
            parsed = _parse_container(line)
            found = None if parsed is None else style or _json_style(parsed, line)
            if parsed is not None and found is not None and _dump_json(parsed, found) == line:
                style = found
                events.append(parsed)
            else:
                events.append(line)
    if style is not None:
        out["json_style"] = style
    out["events"] = events
    if pieces[-1]:
        out["tail"] = pieces[-1]
    return out


def decode_stream(stream: Mapping[str, Any]) -> bytes:
    """The exact bytes of a stream stored by ``encode_stream``."""
    style = stream.get("json_style")
    tail = str(stream.get("tail", ""))
    if stream.get("format") == "sse":
        newline = str(stream.get("newline", "\n"))
        sep = newline * 2
        text = "".join(_render_sse_event(e, newline, style) + sep for e in stream["events"])
    else:
        text = "".join(
            (e if isinstance(e, str) else _dump_json(e, style or "compact")) + "\n"
            for e in stream["events"]
        )
    return (text + tail).encode("utf-8")


# --- bodies -------------------------------------------------------------------------------
def _as_text(body: Any) -> tuple[str | None, bytes | None]:
    """``(text, None)`` for UTF-8 content, ``(None, raw)`` for other bytes."""
    if body is None:
        return "", None
    if isinstance(body, str):
        return body, None
    if isinstance(body, (bytes, bytearray)):
        try:
            return bytes(body).decode("utf-8"), None
        except UnicodeDecodeError:
            return None, bytes(body)
    return str(body), None


def _encode_request(request: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "method": request["method"],
        "uri": request["uri"],
        "headers": dict(request.get("headers") or {}),
    }
    text, raw = _as_text(request.get("body"))
    if raw is not None:
        out["body"] = raw
    elif text:
        parsed = _parse_container(text)
        if parsed is not None:
            out["parsed_body"] = parsed
        else:
            out["body"] = text
    return out


def _encode_response(response: Mapping[str, Any]) -> dict[str, Any]:
    headers = dict(response.get("headers") or {})
    out: dict[str, Any] = {"status": response["status"], "headers": headers}
    body = response.get("body") or {}
    text, raw = _as_text(body.get("string") if isinstance(body, Mapping) else body)
    if raw is not None:
        out["body"] = {"string": raw}
        return out
    assert text is not None
    kind = _stream_kind(headers)
    if kind is not None and text:
        stream = encode_stream(text.encode("utf-8"), kind)
        if stream is not None:
            out["stream"] = stream
            return out
    parsed = _parse_container(text) if text else None
    if parsed is not None:
        out["parsed_body"] = parsed
        style = _json_style(parsed, text)
        if style is not None and style != "compact":
            out["json_style"] = style
        return out
    out["body"] = {"string": text}
    return out


def decode_response_body(response: Mapping[str, Any]) -> bytes:
    """The bytes a stored response replays (any of the forms ``_encode_response`` writes, or
    vcrpy's own ``body: {string: ...}``)."""
    if "stream" in response:
        return decode_stream(response["stream"])
    if "parsed_body" in response:
        style = response.get("json_style") or "compact"
        return _dump_json(response["parsed_body"], style).encode("utf-8")
    body = response.get("body")
    value = body.get("string") if isinstance(body, Mapping) else body
    if value is None:
        return b""
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def _decode_request(request: Mapping[str, Any]) -> dict[str, Any]:
    if "parsed_body" in request:
        body: Any = json.dumps(request["parsed_body"], ensure_ascii=False, separators=(",", ":"))
    else:
        body = request.get("body")
    if isinstance(body, str):
        body = body.encode("utf-8")
    return {
        "method": request["method"],
        "uri": request["uri"],
        "body": body,
        "headers": dict(request.get("headers") or {}),
    }


def _decode_response(response: Mapping[str, Any]) -> dict[str, Any]:
    body = decode_response_body(response)
    headers = {k: list(v) if isinstance(v, list) else [v] for k, v in response["headers"].items()}
    for name in headers:
        # A re-serialised or decoded body no longer has its recorded length.
        if name.lower() == "content-length":
            headers[name] = [str(len(body))]
    return {"status": response["status"], "headers": headers, "body": {"string": body}}


# --- YAML ---------------------------------------------------------------------------------
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BaseDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_BaseDumper):  # type: ignore[misc]
    """Multi-line strings as literal blocks (``|``), everything else as PyYAML picks."""


# Characters YAML reads as line breaks (NEL, LS, PS) or that a plain or single-quoted scalar
# cannot hold as they are: only the double-quoted style escapes them, so only it round-trips.
_NEEDS_ESCAPES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]")


def _represent_str(dumper: Any, value: str) -> Any:
    if _NEEDS_ESCAPES.search(value):
        style: str | None = '"'
    elif "\n" in value:
        style = "|"
    else:
        style = None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def _dump_yaml(data: Any, *, flow: bool | None = None) -> str:
    """YAML text; ``flow=None`` puts lists and mappings of scalars on one line (``[a, b]``)."""
    text: str = yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=flow,
        width=1_000_000,  # one line per value: reviewable diffs
    )
    return text


# --- the cassette ---------------------------------------------------------------------------
@dataclass
class Decoded:
    """A loaded cassette: vcrpy-shaped interactions plus what fctest keeps beside them."""

    interactions: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    provenance: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None


def encode_cassette(
    data: Mapping[str, Any],
    *,
    provenance: Mapping[str, Any] | None = None,
    secrets: Secrets | None = None,
) -> str:
    """YAML text of a vcrpy cassette dict (``{"interactions": [{request, response}]}``)."""
    out: dict[str, Any] = {}
    out["version"] = data.get("version", CASSETTE_VERSION)
    out["interactions"] = [
        {"request": _encode_request(i["request"]), "response": _encode_response(i["response"])}
        for i in data.get("interactions", [])
    ]
    if data.get("metadata"):
        out["metadata"] = data["metadata"]
    text = _dump_yaml(out)
    if provenance:  # first, one field per line
        text = _dump_yaml({PROVENANCE_KEY: dict(provenance)}, flow=False) + text
    if secrets is not None:
        # The last net: whatever slipped through the structured scrubbing is replaced in the
        # text itself (a secret has no spaces, so YAML never splits one across lines).
        text = scrub_text(text, secrets)
        leaked = secrets.found_in(text)
        if leaked:  # pragma: no cover - scrub_text replaced them; kept as a hard stop
            raise AssertionError(f"refusing to write a cassette holding {len(leaked)} secret(s)")
    return text


def load_yaml(text: str) -> Any:
    """Parse cassette text with a safe loader (libyaml's when present)."""
    return yaml.load(text, Loader=_Loader)  # a safe loader, always


def decode_cassette(text: str) -> Decoded:
    """Load cassette text written by ``encode_cassette`` or by vcrpy's own YAML serializer."""
    return decode_data(load_yaml(text))


def decode_data(data: Any) -> Decoded:
    """``decode_cassette`` for text already parsed (``load_yaml``)."""
    if not isinstance(data, dict) or not isinstance(data.get("interactions", []), list):
        raise ValueError("not a vcrpy cassette: no 'interactions' list at the top level")
    decoded = Decoded()
    for item in data.get("interactions") or []:
        if not (isinstance(item, dict) and "request" in item and "response" in item):
            raise ValueError("not a vcrpy cassette: an interaction without request/response")
        decoded.interactions.append(
            (_decode_request(item["request"]), _decode_response(item["response"]))
        )
    provenance = data.get(PROVENANCE_KEY)
    decoded.provenance = dict(provenance) if isinstance(provenance, dict) else None
    metadata = data.get("metadata")
    decoded.metadata = dict(metadata) if isinstance(metadata, dict) else None
    return decoded


class CassetteSerializer:
    """vcrpy's serializer protocol (``serialize`` / ``deserialize``) over this format.

    One instance per cassette carries its provenance and known secrets; the module-level
    ``serializer`` has neither and suits ``VCR.register_serializer("fctest", serializer)``.
    """

    def __init__(
        self, provenance: Mapping[str, Any] | None = None, secrets: Secrets | None = None
    ) -> None:
        self.provenance = dict(provenance) if provenance else None
        self.secrets = secrets
        self.loaded_provenance: dict[str, Any] | None = None

    def serialize(self, cassette_dict: Mapping[str, Any]) -> str:
        return encode_cassette(cassette_dict, provenance=self.provenance, secrets=self.secrets)

    def deserialize(self, cassette_string: str) -> dict[str, Any]:
        decoded = decode_cassette(cassette_string)
        self.loaded_provenance = decoded.provenance
        out: dict[str, Any] = {
            "version": CASSETTE_VERSION,
            "interactions": [{"request": q, "response": r} for q, r in decoded.interactions],
        }
        if decoded.metadata:
            out["metadata"] = decoded.metadata
        return out


serializer = CassetteSerializer()
"""A shared instance for plain vcrpy / pytest-recording use (no provenance, no secrets)."""
