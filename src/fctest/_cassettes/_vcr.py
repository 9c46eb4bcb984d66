"""vcrpy's side of a test's cassette: the classes vcrpy's protocols ask for, and installing it.

vcrpy intercepts httpx, httpx2, requests, aiohttp... for the whole test, the user's own SDK
calls included. ``VcrCassette`` replaces vcrpy's matching: vcrpy scans every interaction for
every request; here each request is keyed once (``_matching.Matcher``) and found with a dict
lookup, so replay costs the same at 3 interactions or 3,000. Loading decodes the file once
(``_serializer``) and keys every recorded request once. What is matched, recorded and raised is
the owner's (``_cassette.Cassette``): this module only plugs it into vcrpy.

This module imports vcrpy: ``fctest._cassettes`` imports it only when ``Cassette`` is asked
for, which the plugin does only inside the fixtures that need it.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vcr.cassette import Cassette as _VcrBase
from vcr.cassette import CassetteContextDecorator
from vcr.record_mode import RecordMode
from vcr.request import Request as VcrRequest

from .._exceptions import CassetteError
from ._matching import Key
from ._serializer import CassetteSerializer, decode_data

if TYPE_CHECKING:
    from ._cassette import Cassette

__all__ = ["VcrCassette", "VcrRequest", "install"]


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


class VcrCassette(_VcrBase):  # type: ignore[misc]
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

    # for the owner
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


class _Builder:
    """Stands in for a Cassette class in vcrpy's ``CassetteContextDecorator`` (it calls
    ``cls.load(**kwargs)``), so that the cassette is built with its owner."""

    def __init__(self, build: Any) -> None:
        self._build = build

    def load(self, **kwargs: Any) -> VcrCassette:
        cassette: VcrCassette = self._build(**kwargs)
        cassette._load()
        return cassette


def install(owner: Cassette, serializer: CassetteSerializer) -> tuple[Any, VcrCassette]:
    """Install a vcrpy cassette for ``owner`` (loading its file): the context to exit to
    uninstall it (writing the file if anything was recorded), and the cassette."""
    mode = RecordMode(owner.record_mode)

    def build(**kwargs: Any) -> VcrCassette:
        return VcrCassette(owner=owner, **kwargs)

    kwargs = {
        "path": str(owner.path),
        "serializer": serializer,
        "persister": _Persister,
        "record_mode": mode,
        "match_on": (_same_key(owner),),
        "before_record_request": owner.before_record_request,
        "before_record_response": owner.before_record_response,
        "drop_unused_requests": mode == RecordMode.ALL,
    }
    absent = _absent_libraries()
    if absent is not None:
        kwargs["skip_patchers"] = absent
    context = CassetteContextDecorator(_Builder(build), lambda: dict(kwargs))
    return context, context.__enter__()
