"""The vcrpy glue: where a cassette lives, how requests match it, what gets written.

One ``Cassette`` per test. It installs a vcrpy cassette (so vcrpy intercepts httpx, httpx2,
requests, aiohttp... for the whole test, the user's own SDK calls included) whose class
``_VcrCassette`` replaces vcrpy's matching: vcrpy scans every interaction for every request,
here each request is keyed once (``_matching.Matcher``) and found with a dict lookup, so replay
costs the same at 3 interactions or 3,000. Record modes keep vcrpy's meanings:

======================  ====================================================================
``none`` (default)      replay only; a missing cassette or an unknown request fails the test
``once``                record if the cassette does not exist, else behave like ``none``
``new_episodes``        replay what matches, record what does not, keep both
``all``                 record everything again and write only what this run sent
======================  ====================================================================

Before anything is recorded, a request is stored under the provider's canonical base URL (the
actual one, a loopback port or a ``--fctest-base-url`` override, goes to the provenance),
stripped of transport headers that change between machines (``user-agent``,
``x-stainless-*``...) and scrubbed of secrets (``_scrub``); a response's compressed body is
decoded and its secrets scrubbed too. The file is written by ``_serializer`` (readable JSON,
streams as event lists) with the provenance in its top-level ``fctest`` key.

Failures subclass ``CassetteError`` (``fctest._exceptions``), an ``AssertionError``. A
drifted request fails where it is sent, and again after the test if the code under test
swallowed the error; recorded interactions the test never asked for fail it after it ran.

This module imports vcrpy: the plugin imports it only inside the fixtures that need it.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import importlib.util
import os
import re
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from vcr.cassette import Cassette as _VcrBase
from vcr.cassette import CassetteContextDecorator
from vcr.record_mode import RecordMode
from vcr.request import Request as VcrRequest

from .._exceptions import CassetteError, CassetteMissing, RequestDrift, UnplayedInteractions
from .._secrets import REDACTED, is_secret_name
from .._version import __version__
from ._matching import Difference, Key, Matcher, diff_json
from ._scrub import Secrets, scrub_headers, scrub_json, scrub_text
from ._serializer import CassetteSerializer, decode_data, load_yaml

if TYPE_CHECKING:
    from fctest import AsyncClient, Client
    from fctest.providers import Adapter

__all__ = [
    "DEFAULT_MODEL",
    "REPLAY_KEY",
    "Cassette",
    "CassetteSpec",
    "canonical_base_url",
]

REPLAY_KEY = "fctest-replay-key"
"""The key a replaying client sends: replay never needs a real one."""

_PLACEHOLDER_KEY = "fctest-placeholder-key"

# Headers the HTTP client adds (or an SDK adds about the machine it runs on): they change
# between machines and versions, not between requests, and would make every re-recording a diff.
_DROPPED_REQUEST_HEADERS = frozenset(
    {"host", "content-length", "connection", "accept-encoding", "user-agent", "keep-alive"}
)
_DROPPED_REQUEST_PREFIXES = ("x-stainless-",)

_VERSION_SEGMENT = re.compile(r"^v\d+[a-z0-9]*$")


def canonical_base_url(adapter: Adapter) -> str:
    """The base URL a provider's cassettes are stored under: its default one, or a fixed
    placeholder for providers without one (Azure: every resource has its own host)."""
    return (adapter.profile.base_url or f"https://{adapter.name}.fctest.invalid").rstrip("/")


@dataclass(frozen=True)
class CassetteSpec:
    """Everything a test's cassette needs to know, resolved from the plugin options."""

    path: Path
    name: str
    provider: str
    record_mode: str
    canonical_base: str
    base_url: str
    """The base URL the client sends to (an override, else the canonical one)."""
    nodeid: str = ""
    rootdir: Path = field(default_factory=Path.cwd)
    model: str | None = None
    """``--fctest-model`` for this provider; else the recorded model; else ``DEFAULT_MODEL``."""
    ignored_fields: tuple[str, ...] = ()
    credential_env: tuple[str, ...] = ()
    """Environment variables holding this provider's credentials (their values are scrubbed)."""


DEFAULT_MODEL = "fctest-model"


# --- compressed bodies ---------------------------------------------------------------------
def _decompress(body: bytes, encodings: Sequence[str]) -> bytes | None:
    """``body`` with its content codings undone (last applied first), or ``None``."""
    for coding in reversed([c.strip().lower() for c in encodings if c.strip()]):
        try:
            if coding in ("gzip", "x-gzip"):
                body = gzip.decompress(body)
            elif coding == "deflate":
                try:
                    body = zlib.decompress(body)
                except zlib.error:  # raw deflate, as some servers send it
                    body = zlib.decompress(body, -zlib.MAX_WBITS)
            elif coding == "br":
                import brotli  # type: ignore[import-not-found]

                body = brotli.decompress(body)
            elif coding == "zstd":
                import zstandard  # type: ignore[import-not-found]

                body = zstandard.ZstdDecompressor().decompressobj().decompress(body)
            elif coding != "identity":
                return None
        except Exception:  # any decoder's error (brotli.error, ZstdError...): keep it as sent
            return None
    return body


# vcrpy's patcher groups and the module each needs. vcrpy tries to import every one of them each
# time a cassette is installed, and a failed import searches sys.path again every time: on a
# long sys.path that is most of the cost of installing a cassette. A library that is not
# installed cannot send a request, so skipping its patcher changes nothing.
_PATCHER_MODULES = {
    "requests": "requests",
    "boto3": "botocore",
    "urllib3": "urllib3",
    "httplib2": "httplib2",
    "tornado": "tornado",
    "aiohttp": "aiohttp",
    "httpx": "httpx",
    "httpx2": "httpx2",
}


@functools.cache
def _absent_libraries() -> tuple[str, ...] | None:
    """Patchers of HTTP libraries that are not installed, or ``None`` when this vcrpy cannot
    skip patchers (``skip_patchers`` came with vcrpy 9, which needs Python 3.11; Python 3.10
    gets vcrpy 8, which patches every library and only costs a little more)."""
    try:
        from vcr.patch import PATCHER_NAMES
    except ImportError:
        return None
    absent = []
    for patcher, module in _PATCHER_MODULES.items():
        if patcher in PATCHER_NAMES and importlib.util.find_spec(module) is None:
            absent.append(patcher)
    return tuple(absent)


def _header(headers: Mapping[str, Sequence[str]], name: str) -> list[str]:
    for key, values in headers.items():
        if key.lower() == name:
            return list(values)
    return []


# --- the vcrpy cassette ---------------------------------------------------------------------
class _VcrCassette(_VcrBase):  # type: ignore[misc]
    """vcrpy's Cassette with fctest's loading and constant-time matching.

    Only interactions loaded from the file can be played; those recorded in this run are
    never replayed (a retried request must reach the server again, as in vcrpy).
    """

    def __init__(self, path: str, *, owner: Cassette, **kwargs: Any) -> None:
        self._owner = owner
        self._index: dict[Key, list[int]] = {}
        self._cursor: dict[Key, int] = {}
        self._compared: dict[int, Any] = {}
        self.file_existed = False
        super().__init__(path, **kwargs)

    # loading: decode once, key every recorded request once
    def _load(self) -> None:
        path = Path(self._path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        if not text.strip():
            return
        if self.record_mode == RecordMode.ALL:
            # Everything is sent again and the file rewritten: an unreadable one does not matter.
            with contextlib.suppress(Exception):
                self._owner.loaded_provenance = decode_data(self._owner.parse(text)).provenance
            return
        try:
            decoded = decode_data(self._owner.parse(text))
        except (ValueError, KeyError, TypeError) as exc:
            raise CassetteError(
                f"cannot load cassette {self._owner.display_path}: {exc}. Delete it and record "
                "it again (--fctest-record-mode=once).",
                path=str(path),
            ) from None
        except Exception as exc:  # yaml.YAMLError and friends: not a crash, a bad file
            raise CassetteError(
                f"cannot load cassette {self._owner.display_path}: {type(exc).__name__}: {exc}",
                path=str(path),
            ) from None
        self.file_existed = True
        for request_dict, response in decoded.interactions:
            request = VcrRequest(
                request_dict["method"],
                request_dict["uri"],
                request_dict["body"],
                request_dict["headers"],
            )
            index = len(self.data)
            self.data.append((request, response))
            self._old_interactions.append((request, response))
            key, compared = self._owner.key(request, scrub=False)  # stored: already scrubbed
            self._index.setdefault(key, []).append(index)
            self._compared[index] = compared
        self._loaded_count = len(self.data)
        self._metadata = decoded.metadata or {}
        self.dirty = False
        self.rewound = True
        self._owner.loaded_provenance = decoded.provenance

    # matching
    def _next(self, request: Any) -> tuple[Key, int | None]:
        # The cheap key first (no secret scrubbing): a request holding no secret keys the same
        # as its recording. Only when it misses is the request scrubbed and looked up again.
        for scrub in (False, True):
            key = self._owner.key(request, scrub=scrub)[0]
            indexes = self._index.get(key)
            if indexes:
                cursor = self._cursor.get(key, 0)
                if cursor < len(indexes):
                    return key, indexes[cursor]
        return key, None

    def _responses(self, request: Any) -> Iterator[tuple[int, Any]]:
        key = self._owner.key(request)[0]
        for index in self._index.get(key, ()):
            yield index, self.data[index][1]

    def can_play_response_for(self, request: Any) -> bool:
        if self.record_mode == RecordMode.ALL:
            return False
        if self._next(request)[1] is not None:
            return True
        if self.write_protected:
            raise self._owner.unmatched(request)
        return False

    def play_response(self, request: Any) -> Any:
        key, index = self._next(request)
        if index is None:
            raise self._owner.unmatched(request)
        self._cursor[key] = self._cursor.get(key, 0) + 1
        self.play_counts[index] += 1
        self._played_interactions.append(self.data[index])
        return self.data[index][1]

    def __contains__(self, request: Any) -> bool:
        return self._next(request)[1] is not None

    def append(self, request: Any, response: Any) -> None:
        before = len(self.data)
        super().append(request, response)  # runs the before_record hooks (scrubbing)
        if len(self.data) > before:
            self._owner.recorded(self.data[-1][0], self.data[-1][1])

    # for the plugin
    def unplayed(self) -> list[int]:
        return [i for i in range(self._loaded_count) if self.play_counts[i] == 0]

    def loaded(self) -> list[tuple[int, Any, Any]]:
        """``(index, request, compared body)`` of every interaction loaded from the file."""
        return [(i, self.data[i][0], self._compared.get(i)) for i in range(self._loaded_count)]


def _same_key(owner: Cassette) -> Any:
    """A vcrpy matcher (it raises ``AssertionError`` on a mismatch) comparing fctest keys, for
    the few places vcrpy still compares two requests itself."""

    def fctest_key(r1: Any, r2: Any) -> None:
        if owner.key(r1)[0] != owner.key(r2)[0]:
            raise AssertionError("the requests differ (fctest key)")

    return fctest_key


class _Persister:
    """vcrpy's persister protocol; writes UTF-8 (the default encoding may not be) atomically."""

    @staticmethod
    def load_cassette(cassette_path: str, serializer: Any) -> Any:
        from vcr.persisters.filesystem import CassetteNotFoundError
        from vcr.serialize import deserialize

        path = Path(cassette_path)
        if not path.is_file():
            raise CassetteNotFoundError()
        return deserialize(path.read_text(encoding="utf-8"), serializer)

    @staticmethod
    def save_cassette(cassette_path: str, cassette_dict: Any, serializer: Any) -> None:
        from vcr.serialize import serialize

        text = serialize(cassette_dict, serializer)
        path = Path(cassette_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)


# --- the plugin's cassette ------------------------------------------------------------------
class Cassette:
    """The cassette of one test: where it lives, how it records, where its bytes came from.

    What the ``fctest_cassette`` fixture returns. ``path`` is the YAML file; ``provenance``
    what the file says about its recording (or, once this run recorded, what it will say);
    ``client()`` a ``fctest.Client`` wired to it.
    """

    def __init__(
        self, spec: CassetteSpec, adapter: Adapter, *, cache_dir: Path | None = None
    ) -> None:
        self.spec = spec
        self.cache_dir = cache_dir
        self.adapter = adapter
        self.secrets = Secrets(
            v for name in spec.credential_env if (v := os.environ.get(name, "")) and v
        )
        aliases = [spec.base_url] if spec.base_url != spec.canonical_base else []
        self.matcher = Matcher.build(spec.canonical_base, aliases, spec.ignored_fields)
        self.errors: list[CassetteError] = []
        self.loaded_provenance: dict[str, Any] | None = None
        self.new_provenance: dict[str, Any] | None = None
        self._serializer = CassetteSerializer(secrets=self.secrets)
        self._context: Any = None
        self._vcr: _VcrCassette | None = None
        self._owned_http: Any = None

    # --- facts ----------------------------------------------------------------------------
    @property
    def path(self) -> Path:
        return self.spec.path

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def provider(self) -> str:
        return self.spec.provider

    @property
    def record_mode(self) -> str:
        return self.spec.record_mode

    @property
    def display_path(self) -> str:
        """The path relative to the rootdir when it is inside it (as messages show it)."""
        try:
            return self.spec.path.resolve().relative_to(self.spec.rootdir.resolve()).as_posix()
        except ValueError:
            return str(self.spec.path)

    @property
    def exists(self) -> bool:
        return self.spec.path.is_file()

    @property
    def provenance(self) -> dict[str, Any] | None:
        """Where the recorded bytes come from (``source``, ``endpoint``, ``api_version``,
        ``date``, ``fctest_version``, ``model``), or ``None`` when nothing is recorded."""
        return self.new_provenance or self.loaded_provenance

    @property
    def replay_only(self) -> bool:
        """Whether this run can only replay: mode ``none``, or ``once`` with the file there."""
        if self.record_mode == "none":
            return True
        if self.record_mode == "once":
            return self._vcr.file_existed if self._vcr is not None else self.exists
        return False

    @property
    def model(self) -> str:
        """The model a client asks for: the option, else the recorded one, else a placeholder."""
        if self.spec.model:
            return self.spec.model
        recorded = (self.loaded_provenance or {}).get("model")
        return recorded if isinstance(recorded, str) and recorded else DEFAULT_MODEL

    @property
    def base_url(self) -> str:
        """The base URL a client must send to for this cassette."""
        return self.spec.base_url

    @property
    def play_count(self) -> int:
        return 0 if self._vcr is None else int(self._vcr.play_count)

    @property
    def interactions(self) -> int:
        """How many interactions the cassette holds (loaded and recorded in this run)."""
        return 0 if self._vcr is None else len(self._vcr.data)

    def __repr__(self) -> str:
        return f"<fctest Cassette {self.display_path} mode={self.record_mode}>"

    # --- lifecycle ------------------------------------------------------------------------
    def open(self) -> Cassette:
        """Install the vcrpy cassette (loading the file) until ``close()``."""
        mode = RecordMode(self.record_mode)
        owner = self

        def build(**kwargs: Any) -> _VcrCassette:
            return _VcrCassette(owner=owner, **kwargs)

        kwargs = {
            "path": str(self.spec.path),
            "serializer": self._serializer,
            "persister": _Persister,
            "record_mode": mode,
            "match_on": (_same_key(self),),
            "before_record_request": self.before_record_request,
            "before_record_response": self.before_record_response,
            "drop_unused_requests": mode == RecordMode.ALL,
        }
        absent = _absent_libraries()
        if absent is not None:
            kwargs["skip_patchers"] = absent
        self._context = CassetteContextDecorator(_Builder(build), lambda: dict(kwargs))
        self._vcr = self._context.__enter__()
        return self

    def close(self) -> None:
        """Uninstall the cassette, writing it if this run recorded anything."""
        context, self._context = self._context, None
        http, self._owned_http = self._owned_http, None
        try:
            if context is not None:
                self._serializer.provenance = self.new_provenance or self.loaded_provenance
                context.__exit__(None, None, None)
        finally:
            if http is not None:
                http.close()

    def __enter__(self) -> Cassette:
        return self.open()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def parse(self, text: str) -> Any:
        """The cassette's YAML, parsed; through ``cache_dir`` when there is one.

        A safe YAML load costs about 2 ms per cassette (libyaml parses, Python constructs); a
        JSON copy of the parsed data, keyed by a hash of the text, loads 50 times faster. Data
        that JSON cannot hold (``!!binary`` bodies) is simply not cached.
        """
        if self.cache_dir is None:
            return load_yaml(text)
        import hashlib
        import json

        digest = hashlib.blake2b(text.encode("utf-8"), digest_size=20).hexdigest()
        cached = self.cache_dir / f"{digest}.json"
        try:
            return json.loads(cached.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
        data = load_yaml(text)
        try:
            dumped = json.dumps(data, ensure_ascii=False)
        except (TypeError, ValueError):
            return data
        if json.loads(dumped) != data:  # YAML that JSON would change (integer keys...)
            return data
        with contextlib.suppress(OSError):
            tmp = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
            tmp.write_text(dumped, encoding="utf-8")
            os.replace(tmp, cached)
        return data

    # --- matching -------------------------------------------------------------------------
    def key(self, request: Any, *, scrub: bool = True) -> tuple[Key, Any]:
        """The lookup key of a vcrpy request and its body as compared (computed once each)."""
        attribute = "_fctest_key" if scrub else "_fctest_fast_key"
        cached: tuple[Key, Any] | None = getattr(request, attribute, None)
        if cached is None:
            cached = self.matcher.key(
                request.method, request.uri, request.body, self.secrets, scrub=scrub
            )
            setattr(request, attribute, cached)
        return cached

    def unmatched(self, request: Any) -> CassetteError:
        """The error for a request the cassette cannot answer (remembered for after the test)."""
        vcr = self._vcr
        error: CassetteError
        if vcr is None or not vcr.file_existed:
            error = CassetteMissing(self._missing_message(), path=str(self.spec.path))
        else:
            error = self._drift(request, vcr)
        self.errors.append(error)
        return error

    def _record_hint(self) -> str:
        node = self.spec.nodeid or "<test>"
        env = " or ".join(self.adapter.profile.env.get("api_key", ())) or "the provider's key"
        return (
            f"Record it against the real API ({env} set):\n"
            f"    pytest '{node}' --fctest-record-mode=once\n"
            "or against the reference server (`fctest serve`) or any compatible server:\n"
            f"    pytest '{node}' --fctest-record-mode=once "
            f"--fctest-base-url {self.provider}=http://127.0.0.1:PORT/..."
        )

    def _missing_message(self) -> str:
        return (
            f"no cassette at {self.display_path}, and record mode 'none' never records.\n"
            + self._record_hint()
        )

    def _drift(self, request: Any, vcr: _VcrCassette) -> RequestDrift:
        key, compared = self.key(request)
        method, url = key[0], key[1]
        ranked: list[tuple[int, int, list[Difference]]] = []
        for index, recorded, recorded_body in vcr.loaded():
            rec_key = self.key(recorded, scrub=False)[0]
            diffs: list[Difference] = []
            if rec_key[0] != method:
                diffs.append(Difference("method", rec_key[0], method))
            if rec_key[1] != url:
                diffs.append(Difference("url", rec_key[1], url))
            diffs += diff_json(recorded_body, compared)
            ranked.append((len(diffs) + (100 if rec_key[:2] != key[:2] else 0), index, diffs))
        ranked.sort(key=lambda t: (t[0], t[1]))
        head = (
            f"request drift: {method} {url} matches no unplayed interaction in "
            f"{self.display_path} ({len(ranked)} recorded)."
        )
        lines = [head]
        paths: tuple[str, ...] = ()
        if ranked:
            _, index, diffs = ranked[0]
            if not diffs:
                lines.append(
                    f"It equals recorded interaction #{index}, which was already played: the "
                    "code sends this request more often than when it was recorded."
                )
            else:
                paths = tuple(d.path for d in diffs)
                lines.append(
                    f"Nearest recorded request #{index}: "
                    + ("1 JSON path differs:" if len(diffs) == 1 else f"{len(diffs)} differ:")
                )
                lines += [f"  {d.describe()}" for d in diffs[:12]]
                if len(diffs) > 12:
                    lines.append(f"  ... and {len(diffs) - 12} more")
            others = [f"#{i} ({len(d)} differ)" for _, i, d in ranked[1:4]]
            if others:
                lines.append("Other recorded requests: " + ", ".join(others))
        node = self.spec.nodeid or "<test>"
        lines.append(
            "If the change is intended, record the cassette again: "
            f"pytest '{node}' --fctest-record-mode=all (with --fctest-base-url for a server)."
        )
        return RequestDrift("\n".join(lines), path=str(self.spec.path), paths=paths)

    def check(self) -> None:
        """After the test: re-raise a swallowed failure, then fail on unplayed interactions."""
        if self.errors:
            raise self.errors[0]
        vcr = self._vcr
        if vcr is None or self.record_mode == "all":
            return
        unplayed = vcr.unplayed()
        if not unplayed:
            return
        described = []
        for index in unplayed[:10]:
            request = vcr.data[index][0]
            described.append(f"  #{index} {request.method} {request.uri}")
        more = f"\n  ... and {len(unplayed) - 10} more" if len(unplayed) > 10 else ""
        raise UnplayedInteractions(
            f"{len(unplayed)} of {vcr._loaded_count} recorded interaction"
            f"{'s' if vcr._loaded_count != 1 else ''} in {self.display_path} "
            f"{'were' if len(unplayed) != 1 else 'was'} never requested: the code now sends "
            "fewer requests than when the cassette was recorded.\n"
            + "\n".join(described)
            + more
            + f"\nIf that is intended, record it again: pytest '{self.spec.nodeid or '<test>'}' "
            "--fctest-record-mode=all",
            path=str(self.spec.path),
            indexes=tuple(unplayed),
        )

    # --- recording hooks ------------------------------------------------------------------
    def before_record_request(self, request: Any) -> Any:
        """A copy of ``request`` as stored: canonical URL, stable headers, no secrets."""
        headers: dict[str, list[str]] = {}
        for name, value in request.headers.items():
            lowered = name.lower()
            if lowered in _DROPPED_REQUEST_HEADERS or lowered.startswith(_DROPPED_REQUEST_PREFIXES):
                continue
            if lowered == "accept" and value == "*/*":  # httpx's default, not the caller's
                continue
            headers[lowered] = [value]
        headers = scrub_headers(headers, self.secrets)
        uri = self.matcher.canonical_url(request.uri, self.secrets)
        body = request.body
        if isinstance(body, (bytes, str)) and body:
            body = self._scrub_body(body)
        return VcrRequest(request.method, uri, body, headers)

    def _scrub_body(self, body: bytes | str) -> bytes | str:
        import json

        text = body.decode("utf-8", errors="strict") if isinstance(body, bytes) else body
        try:
            data = json.loads(text)
        except ValueError:
            return scrub_text(text, self.secrets).encode("utf-8")
        return json.dumps(
            scrub_json(data, self.secrets), ensure_ascii=False, separators=(",", ":")
        ).encode("utf-8")

    def before_record_response(self, response: Any) -> Any:
        """The response as stored: body decompressed, credentials and secrets scrubbed."""
        headers: dict[str, list[str]] = {
            k: list(v) if isinstance(v, list) else [v] for k, v in response["headers"].items()
        }
        body = response["body"]["string"]
        if isinstance(body, str):
            body = body.encode("utf-8")
        encodings = _header(headers, "content-encoding")
        if encodings and body:
            decoded = _decompress(body, ", ".join(encodings).split(","))
            if decoded is not None:
                body = decoded
                headers = {k: v for k, v in headers.items() if k.lower() != "content-encoding"}
        headers = scrub_headers(headers, self.secrets)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            body = scrub_text(text, self.secrets).encode("utf-8")
        for name in headers:
            if name.lower() == "content-length":
                headers[name] = [str(len(body))]
        response["headers"] = headers
        response["body"] = {"string": body}
        return response

    def recorded(self, request: Any, response: Any) -> None:
        """Bookkeeping after an interaction was recorded: the provenance it gives the file."""
        if self.new_provenance is None:
            self.new_provenance = self._provenance(request, response)

    def _provenance(self, request: Any, response: Any) -> dict[str, Any]:
        endpoint = scrub_text(self.matcher_base_display(), self.secrets)
        server = " ".join(_header(response["headers"], "server")).lower()
        if server.startswith("fctest") or _header(response["headers"], "x-fctest-server"):
            source = "reference-server"
        elif self.spec.base_url == self.spec.canonical_base:
            source = "live"
        else:
            source = "compatible-server"
        out: dict[str, Any] = {
            "source": source,
            "provider": self.provider,
            "endpoint": endpoint,
        }
        version = _api_version(request, self.spec.canonical_base)
        if version:
            out["api_version"] = version
        out["model"] = self.model
        out["date"] = datetime.now(timezone.utc).strftime("%Y-%m-%d")
        out["fctest_version"] = __version__
        return out

    def matcher_base_display(self) -> str:
        """The actual base URL recorded against, without credentials."""
        return _strip_userinfo(self.spec.base_url)

    # --- the client -----------------------------------------------------------------------
    def _client_kwargs(self, overrides: Mapping[str, Any]) -> dict[str, Any]:
        from fctest import RetryPolicy

        kwargs: dict[str, Any] = {"base_url": self.base_url}
        if self.replay_only:
            kwargs["api_key"] = REPLAY_KEY
            kwargs["retry"] = RetryPolicy(sleep=_no_wait, async_sleep=_no_wait_async)
        elif self.spec.base_url != self.spec.canonical_base and not any(
            os.environ.get(name) for name in self.spec.credential_env
        ):
            kwargs["api_key"] = _PLACEHOLDER_KEY
        kwargs.update(overrides)
        return kwargs

    def client(self, **overrides: Any) -> Client:
        """A ``fctest.Client`` for this provider and model that talks through this cassette.

        Replaying, it sends a placeholder key (none is needed) and never waits between retries.
        Recording, the key comes from the environment (a placeholder if a base-URL override
        points at a server that needs none). ``overrides`` are ``fctest.Client`` arguments.
        """
        from fctest import Client

        kwargs = self._client_kwargs(overrides)
        if not self.replay_only and "transport" not in kwargs and "http_client" not in kwargs:
            # Recording opens real connections: give them an httpx client of this test's own,
            # closed with the cassette, rather than the process-wide one (whose keep-alive
            # sockets would outlive a test's server).
            kwargs["http_client"] = self._http_client()
        client = Client(self.adapter, self.model, **kwargs)
        self.remember_secrets(client.config)
        return client

    def async_client(self, **overrides: Any) -> AsyncClient:
        """``client()``'s asynchronous twin (``await client.aclose()`` when done)."""
        from fctest import AsyncClient

        client = AsyncClient(self.adapter, self.model, **self._client_kwargs(overrides))
        self.remember_secrets(client.config)
        return client

    def _http_client(self) -> Any:
        if self._owned_http is None:
            from fctest._transports.httpx import DEFAULT_TIMEOUT, HttpClient

            self._owned_http = HttpClient(timeout=DEFAULT_TIMEOUT)
        return self._owned_http

    def remember_secrets(self, config: Any) -> None:
        """Scrub the credential values of ``config`` wherever they appear."""
        from fctest._settings import credential_fields

        for name in credential_fields(type(config)):
            value = getattr(config, name, None)
            if isinstance(value, str) and value not in (REPLAY_KEY, _PLACEHOLDER_KEY):
                self.secrets.add(value)
        for name, value in dict(getattr(config, "headers", {}) or {}).items():
            if is_secret_name(name) and isinstance(value, str):
                self.secrets.add(value)


def _no_wait(_seconds: float) -> None:
    """Replay answers at once: waiting between retries only slows the test down."""


async def _no_wait_async(_seconds: float) -> None:
    """The async twin of ``_no_wait``."""


def _api_version(request: Any, canonical_base: str) -> str:
    """What a request says about the API version: path segments like ``v1beta``, and headers
    and query parameters whose name holds ``version`` (``anthropic-version``, ``api-version``)."""
    parts = urlsplit(request.uri)
    found = [s for s in parts.path.split("/") if _VERSION_SEGMENT.match(s)]
    for name, value in request.headers.items():
        if "version" in name.lower():
            found.append(f"{name.lower()} {value}")
    for name, value in parse_qsl(parts.query):
        if "version" in name.lower() and value != REDACTED:
            found.append(f"{name} {value}")
    return ", ".join(dict.fromkeys(found))


def _strip_userinfo(url: str) -> str:
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


class _Builder:
    """Stands in for a Cassette class in vcrpy's ``CassetteContextDecorator`` (it calls
    ``cls.load(**kwargs)``), so that the cassette is built with its owner."""

    def __init__(self, build: Any) -> None:
        self._build = build

    def load(self, **kwargs: Any) -> _VcrCassette:
        cassette: _VcrCassette = self._build(**kwargs)
        cassette._load()
        return cassette
