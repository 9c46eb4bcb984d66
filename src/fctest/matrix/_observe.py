"""``fctest matrix observe``: real recordings in, ``recorded`` observations out.

Reads cassettes in every format ``fctest._cassettes.load_cassette`` knows (plain vcrpy YAML,
parsed bodies, gzipped request/response lists, response-only fixtures), picks the adapter for
each interaction (``fctest.providers.adapter_for_url`` on the request URL, else
``adapter_for_body``; ``--provider`` forces one) and decodes it through the adapter's public
``parse_response`` / ``stream_decoder`` / ``parse_error``. What no adapter reads (an endpoint no
adapter recognises, an AWS event stream without an adapter, a gRPC cassette) is skipped with the
reason; what an adapter fails to decode is a failure. Paths in the output are relative to the
project root (the working directory unless told otherwise), never absolute.
"""

from __future__ import annotations

import email.utils
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from .._exceptions import CassetteFormatError, ProtocolError, ProviderError, UsageError
from ._observations import CallSeen, Declared, ErrorSeen, Observation, ObservationsFile, Skipped
from ._profiles import documented_values, fields_of
from ._results import RunInfo

if TYPE_CHECKING:
    from .._cassettes import Interaction
    from .._messages import Response
    from ..dialect import Profile
    from ..providers import Adapter

__all__ = ["OBSERVED_CAPABILITIES", "find_recordings", "observe"]

SUFFIXES = (".yaml", ".yml", ".yaml.gz", ".yml.gz", ".json", ".json.gz", ".chunks.txt")
"""The files a folder is searched for: cassettes and response-only fixtures."""

OBSERVED_CAPABILITIES = (
    "tool_call",
    "parallel_calls",
    "streaming",
    "streaming_parallel",
    "errors",
    "call_ids",
)
"""The matrix cells a recording can back (what a response shows without decoding the request)."""

_AWS_STREAM_PATHS = ("/converse-stream", "/invoke-with-response-stream")
_REQUEST_MODEL = (re.compile(r"/models/([^/:?#]+)"), re.compile(r"/deployments/([^/?#]+)"))
_CREATED = re.compile(rb'"created(?:_at)?"\s*:\s*(\d{9,11})\b')


def find_recordings(paths: Sequence[str | os.PathLike[str]]) -> list[tuple[Path, bool]]:
    """Every recording under ``paths``, sorted, each with whether it was named explicitly (a
    folder is searched for ``SUFFIXES``). A missing path, or a folder holding no recording, is a
    ``UsageError``."""
    if not paths:
        raise UsageError("observe needs at least one cassette file or folder")
    found: dict[Path, bool] = {}
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            found[path] = True
        elif path.is_dir():
            inside = [p for p in path.rglob("*") if p.is_file() and p.name.endswith(SUFFIXES)]
            if not inside:
                raise UsageError(f"{path}: no cassettes in this folder ({', '.join(SUFFIXES)})")
            for p in inside:
                found.setdefault(p, False)
        else:
            raise UsageError(f"{path}: no such file or folder")
    return sorted(found.items())


def _relative(path: Path, root: Path) -> str:
    try:
        return Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()
    except ValueError:  # another drive: no relative path exists
        return path.resolve().as_posix()


def _hints(path: Path, names: Sequence[str]) -> list[str]:
    """Adapter names the file's folders spell (``azure_openai`` is ``azure-openai``), nearest
    first."""
    parts = [p.lower().replace("_", "-") for p in reversed(path.parent.parts)]
    return [p for p in parts if p in names]


def _endpoint(url: str) -> str:
    """The URL without its query, fragment or credentials (a Gemini key rides in the query)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return f"{parts.scheme}://{host}{parts.path}"


def _requested_model(interaction: Interaction) -> str | None:
    """The model the request asked for: the JSON body's ``model``, else the URL's
    ``/models/<name>`` or ``/deployments/<name>``."""
    request = interaction.request
    if request is None:
        return None
    try:
        body = json.loads(request.body) if request.body else None
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("model"), str) and body["model"]:
        return str(body["model"])
    for pattern in _REQUEST_MODEL:
        found = pattern.search(urlsplit(request.url).path)
        if found:
            return unquote(found.group(1))
    return None


def _recorded_date(interaction: Interaction) -> str | None:
    """The day it was recorded: the response's ``Date`` header, else a creation timestamp in
    the body (``created``, ``created_at``), else ``None``."""
    header = interaction.response.headers.get("date")
    if header:
        try:
            return email.utils.parsedate_to_datetime(header).strftime("%Y-%m-%d")
        except (TypeError, ValueError):
            pass
    found = _CREATED.search(interaction.response.body)
    if found:
        return datetime.fromtimestamp(int(found.group(1)), timezone.utc).strftime("%Y-%m-%d")
    return None


def _needs_of(capability: str) -> tuple[Any, ...]:
    from ..scenarios import SCENARIOS

    return tuple(n for s in SCENARIOS if s.capability == capability for n in s.needs)


def declared_for(profile: Profile) -> Declared:
    """What ``profile`` declares, as far as a recording can contradict it."""
    from ..scenarios import unsupported_reason

    names = {f for c in OBSERVED_CAPABILITIES for f in fields_of(c)}
    rule = profile.id_rule
    return Declared(
        tool_call_ids=profile.tool_call_ids,
        streams_arguments=profile.streams_arguments,
        id_rule=rule.as_dict() if rule is not None else None,
        unsupported={c: unsupported_reason(_needs_of(c), profile) for c in OBSERVED_CAPABILITIES},
        sources={f: profile.sources[f] for f in sorted(names) if f in profile.sources},
        documented=documented_values(profile, names),
    )


@dataclass(frozen=True, slots=True)
class _Decoded:
    response: Response | None = None
    fragments: dict[str, int] | None = None
    error: ErrorSeen | None = None
    failure: str | None = None


def _one_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0] if lines else ''}".strip()


def _error_seen(error: ProviderError) -> ErrorSeen:
    return ErrorSeen(type(error).__name__, error.status or 200, " ".join(error.message.split()))


def _decode(adapter: Adapter, interaction: Interaction) -> _Decoded:
    """Through the adapter's public methods only; a failure is said, never raised."""
    response = interaction.response
    try:
        if not response.ok:
            return _Decoded(error=_error_seen(adapter.parse_error(response)))
        if not interaction.is_stream:
            return _Decoded(response=adapter.parse_response(response))
        return _stream(adapter, response.body)
    except ProtocolError as exc:
        return _Decoded(failure=_one_line(exc))
    except ProviderError as exc:  # an error sent inside a 200 (a stream event, an error body)
        return _Decoded(error=_error_seen(exc))
    except Exception as exc:  # a decoder bug must be reported, not crash the run
        return _Decoded(failure=_one_line(exc))


def _stream(adapter: Adapter, body: bytes) -> _Decoded:
    from .._events import ToolCallDelta, ToolCallFinished

    decoder = adapter.stream_decoder()
    events = decoder.feed(body)
    decoded = decoder.close()
    pieces: dict[int, int] = {}
    ids: dict[int, str] = {}
    for event in events:
        if isinstance(event, ToolCallDelta):
            pieces[event.index] = pieces.get(event.index, 0) + 1
        elif isinstance(event, ToolCallFinished):
            ids[event.index] = event.call.id
    fragments = {ids.get(i, str(i)): n for i, n in pieces.items()}
    return _Decoded(response=decoded, fragments=fragments)


def _calls(decoded: _Decoded, body: bytes, profile: Profile) -> tuple[CallSeen, ...]:
    response = decoded.response
    if response is None:
        return ()
    rule = profile.id_rule
    out = []
    for call in response.tool_calls:
        fragments = None
        if decoded.fragments is not None:
            fragments = decoded.fragments.get(call.id, 0)
        out.append(
            CallSeen(
                name=call.name,
                id=call.id,
                id_sent=call.id.encode("utf-8") in body,
                id_fits=None if rule is None else rule.accepts(call.id),
                fragments=fragments,
            )
        )
    return tuple(out)


def _usage(response: Response | None) -> dict[str, int | None] | None:
    usage = response.usage if response is not None else None
    if usage is None:
        return None
    return {"input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens}


class _Reader:
    """Reads recordings for one ``observe`` call: the adapters, the forced one, the root."""

    def __init__(self, provider: str | None, root: Path) -> None:
        from ..providers import adapter_names, get_adapter

        self.adapters = [get_adapter(n) for n in adapter_names()]
        self.forced = get_adapter(provider) if provider is not None else None
        self.root = root
        self.observations: list[Observation] = []
        self.skipped: list[Skipped] = []

    @property
    def names(self) -> list[str]:
        return [a.name for a in self.adapters]

    def read(self, path: Path, explicit: bool) -> None:
        from .._cassettes import load_cassette, recorded_provenance

        rel = _relative(path, self.root)
        hints = _hints(path, self.names)
        label = hints[0] if hints else "unknown"
        provenance = recorded_provenance(path) or {}
        source = provenance.get("source", "live")
        if source != "live":
            # fctest's own cassette of an imitation: emulated evidence (the conformance run's),
            # never a real provider's answer.
            reason = f"an fctest cassette with provenance {source!r}: not the provider's answer"
            self.skipped.append(Skipped(rel, str(provenance.get("provider") or label), reason))
            return
        try:
            interactions = load_cassette(path)
        except CassetteFormatError as exc:
            if explicit:
                raise
            self.skipped.append(Skipped(rel, label, str(exc).removeprefix(f"{path}: ")))
            return
        if explicit and _unreadable_fixture(interactions, lambda it: self._choose(it, hints)):
            raise CassetteFormatError(
                f"{path}: not a recording: no adapter reads it as a provider's answer "
                "(a cassette, or a response-only fixture, was expected)"
            )
        for index, interaction in enumerate(interactions):
            self._one(rel, index, interaction, hints, provenance.get("date"))

    def _choose(self, interaction: Interaction, hints: list[str]) -> Adapter | None:
        from ..providers import adapter_for_body, adapter_for_url

        if self.forced is not None:
            return self.forced
        if interaction.request is not None:
            return adapter_for_url(interaction.request.url, self.adapters)
        return adapter_for_body(
            interaction.response,
            stream=interaction.is_stream,
            adapters=self.adapters,
            hints=hints,
        )

    def _one(
        self, rel: str, index: int, interaction: Interaction, hints: list[str], date: Any
    ) -> None:
        adapter = self._choose(interaction, hints)
        if adapter is None:
            self.skipped.append(_skip(rel, index, interaction, hints))
            return
        observation = _observation(adapter, rel, index, interaction)
        if observation.date is None and isinstance(date, str):
            observation = replace(observation, date=date)  # the cassette's own provenance
        self.observations.append(observation)


def _unreadable_fixture(
    interactions: list[Interaction], choose: Callable[[Interaction], Adapter | None]
) -> bool:
    """Whether ``interactions`` is one response recorded without its request that no adapter
    reads: a JSON file that is not a recording at all, named on the command line."""
    return (
        len(interactions) == 1 and interactions[0].request is None and not choose(interactions[0])
    )


def _skip(rel: str, index: int, interaction: Interaction, hints: list[str]) -> Skipped:
    request = interaction.request
    if request is None:
        label = hints[0] if hints else "unknown"
        reason = "a response recorded without its request that no registered adapter reads"
        return Skipped(rel, label, reason, index)
    parts = urlsplit(request.url)
    label = parts.netloc.rpartition("@")[2] or "unknown"
    ctype = interaction.response.headers.get("content-type", "").lower()
    if "amazon.eventstream" in ctype or parts.path.endswith(_AWS_STREAM_PATHS):
        reason = "an AWS event stream from an endpoint no registered adapter recognises"
    else:
        reason = "no registered adapter recognises this endpoint"
    return Skipped(rel, label, reason, index)


def _observation(adapter: Adapter, rel: str, index: int, interaction: Interaction) -> Observation:
    decoded = _decode(adapter, interaction)
    response = decoded.response
    served = response.model if response is not None and response.model else None
    model = _requested_model(interaction) or served
    profile = adapter.profile if model is None else adapter.profile.for_model(model)
    request = interaction.request
    return Observation(
        provider=adapter.name,
        file=rel,
        interaction=index,
        declared=declared_for(profile),
        model=model,
        served_model=served,
        families=tuple(profile.model_families),
        endpoint=_endpoint(request.url) if request is not None else None,
        date=_recorded_date(interaction),
        status=interaction.response.status,
        stream=interaction.is_stream,
        calls=_calls(decoded, interaction.response.body, profile),
        text=bool(response is not None and response.text),
        finish_reason=response.finish_reason if response is not None else None,
        raw_finish_reason=response.raw_finish_reason if response is not None else None,
        error=decoded.error,
        usage=_usage(response),
        failure=decoded.failure,
        note=interaction.note or None,
    )


def observe(
    paths: Sequence[str | os.PathLike[str]],
    *,
    provider: str | None = None,
    root: str | os.PathLike[str] | None = None,
) -> ObservationsFile:
    """Observe every recording under ``paths`` (see the module docstring). ``provider`` forces
    one adapter (an unknown name is an ``UnknownAdapterError`` listing the known ones);
    ``root`` is what paths are made relative to (default: the working directory)."""
    base = Path(root) if root is not None else Path.cwd()
    reader = _Reader(provider, base)
    for path, explicit in find_recordings(paths):
        reader.read(path, explicit)
    options = {"paths": [_relative(Path(p), base) for p in paths], "provider": provider}
    return ObservationsFile(
        RunInfo.current(options, root=base),
        tuple(reader.observations),
        tuple(reader.skipped),
    )
