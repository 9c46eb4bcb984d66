"""Every interaction recorded under a folder, indexed for replay to a client in any language.

Every file under the folder that ``load_cassette`` reads (vcrpy YAML or JSON, gzipped or not,
the langchain ``requests``/``responses`` layout), and every cassette fctest wrote (streams
stored as events, read with its own serializer), is indexed once by (method, path, normalised
body): JSON bodies are compared parsed, with keys sorted and integral floats folded to
integers (``0.0`` and ``0`` are the same temperature), anything else byte for byte. A lookup is
one dict access, however many interactions are loaded.

Scheme, host, port and query are ignored, so a recording made live (``/v1/chat/completions``)
and one made against the reference server (``/openai/v1/chat/completions``) both answer; a
request path that matches nothing is tried once more without its first segment, so the
reference server's per-provider base URLs work here too. Several interactions recorded for the
same request (a 503, then the retry's 200) are found in recorded order, then again from the
first, so every run of a client sees the same sequence. When nothing matches, ``nearest``
names the nearest recorded requests and the JSON paths where they differ.

The reference server answers from it (``fctest._server._cassettes``); nothing here speaks HTTP.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .._exceptions import CassetteFormatError, UsageError
from .._wire import HttpRequest
from ._diff import diff_json
from ._formats import Interaction, load_interactions

__all__ = ["CassetteIndex", "Recorded", "body_key", "diff_paths"]

_SUFFIXES = (".yaml", ".yml", ".json", ".gz")
_NEAREST = 3
_MAX_DIFFS = 12


def _canonical(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def _parsed(body: bytes) -> Any:
    """The body as canonical JSON, or ``None`` when it is not JSON (or empty)."""
    if not body.strip():
        return None
    try:
        return _canonical(json.loads(body))
    except ValueError:
        return None


def body_key(body: bytes) -> bytes:
    """A digest equal for two bodies that mean the same JSON (or are the same bytes)."""
    parsed = _parsed(body)
    if parsed is None:
        data = b"raw:" + body
    else:
        data = json.dumps(parsed, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(data).digest()


def diff_paths(recorded: Any, sent: Any, limit: int = _MAX_DIFFS) -> list[str]:
    """JSON pointers where two parsed bodies differ, object keys sorted (at most ``limit``)."""
    return [d.path or "/" for d in diff_json(recorded, sent, sort_keys=True, limit=limit)]


@dataclass(frozen=True, slots=True)
class Recorded:
    """One indexed interaction: the cassette (relative to the folder) and its place in it."""

    cassette: str
    index: int
    interaction: Interaction
    method: str
    path: str


def _strip_first(path: str) -> str | None:
    rest = path.lstrip("/").partition("/")[2]
    return "/" + rest if rest else None


def _is_candidate(path: Path) -> bool:
    return path.is_file() and path.name.endswith(_SUFFIXES) and not path.name.startswith(".")


class CassetteIndex:
    """Every cassette under ``folder``; files that are not cassettes are listed in ``skipped``
    with the reason, and so are response-only fixtures (nothing to match)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise UsageError(f"--cassettes {folder}: not a directory")
        self.skipped: list[tuple[str, str]] = []
        self._index: dict[tuple[str, str, bytes], list[Recorded]] = {}
        self._routes: dict[tuple[str, str], list[Recorded]] = {}
        self._cursor: dict[tuple[str, str, bytes], int] = {}
        self._lock = threading.Lock()
        self.cassettes = 0
        for path in sorted(p for p in self.folder.rglob("*") if _is_candidate(p)):
            self._load(path)

    @property
    def interactions(self) -> int:
        return sum(len(v) for v in self._index.values())

    def _load(self, path: Path) -> None:
        name = path.relative_to(self.folder).as_posix()
        try:
            interactions = load_interactions(path)
        except CassetteFormatError as exc:
            self.skipped.append((name, str(exc)))
            return
        loaded = 0
        for i, interaction in enumerate(interactions):
            request = interaction.request
            if request is None:
                self.skipped.append((f"{name}#{i}", "response-only: no request to match"))
                continue
            recorded = Recorded(name, i, interaction, request.method, urlsplit(request.url).path)
            key = (recorded.method, recorded.path, body_key(request.body))
            self._index.setdefault(key, []).append(recorded)
            self._routes.setdefault((recorded.method, recorded.path), []).append(recorded)
            loaded += 1
        self.cassettes += loaded > 0

    def routes(self) -> list[str]:
        """``METHOD /path (n)`` for every recorded route."""
        return [f"{m} {p} ({len(v)})" for (m, p), v in sorted(self._routes.items())]

    def find(self, request: HttpRequest) -> Recorded | None:
        """The interaction recorded for ``request`` (the next in turn when several are)."""
        path = urlsplit(request.url).path
        digest = body_key(request.body)
        for candidate in (path, _strip_first(path)):
            if candidate is None:
                continue
            key = (request.method, candidate, digest)
            entries = self._index.get(key)
            if entries:
                with self._lock:
                    turn = self._cursor.get(key, 0)
                    self._cursor[key] = (turn + 1) % len(entries)
                return entries[turn]
        return None

    def nearest(self, request: HttpRequest) -> list[dict[str, Any]]:
        """The recorded requests nearest to one that matched nothing, nearest first: where each
        is recorded, and the JSON paths where its body differs (``body_differs_at``)."""
        path = urlsplit(request.url).path
        paths = {path, _strip_first(path)}
        near = [
            r
            for (method, route), entries in self._routes.items()
            if method == request.method and route in paths
            for r in entries
        ]
        if not near:
            near = self._similar_routes(request.method, path)
        sent = _parsed(request.body)
        ranked: list[tuple[int, int, dict[str, Any]]] = []
        for r in near[:200]:
            recorded = r.interaction.request
            assert recorded is not None
            before = _parsed(recorded.body)
            if sent is not None and before is not None:
                differs = diff_paths(before, sent)
            else:
                differs = [] if recorded.body == request.body else ["(body, not JSON)"]
            route_differs = int(r.method != request.method or r.path not in paths)
            ranked.append(
                (
                    route_differs,
                    len(differs),
                    {
                        "cassette": r.cassette,
                        "interaction": r.index,
                        "method": r.method,
                        "path": r.path,
                        "body_differs_at": differs,
                    },
                )
            )
        ranked.sort(key=lambda item: (item[0], item[1]))
        return [item[2] for item in ranked[:_NEAREST]]

    def _similar_routes(self, method: str, path: str) -> list[Recorded]:
        def score(route: tuple[str, str]) -> float:
            return (route[0] == method) + SequenceMatcher(None, route[1], path).ratio()

        best = sorted(self._routes, key=score, reverse=True)[:_NEAREST]
        return [r for route in best for r in self._routes[route][:_NEAREST]]
