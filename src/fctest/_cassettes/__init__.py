"""Cassettes, in one place below the pytest plugin and the reference server.

What lives here: reading every cassette format the field records (``_formats``), fctest's own
format and its vcrpy serializer (``_serializer``), taking secrets out (``_scrub``), keying a
request for replay (``_matching``), what a recorded exchange looks like once stored
(``_recording``), a test's cassette (``_cassette``: the failures it raises in ``_failures``,
its vcrpy glue in ``_vcr``), and a folder of cassettes indexed for the reference server
(``_index``).

The plugin keeps only what is pytest's (options, fixtures, reports) and the server only what is
HTTP's; both import from this package, never from its modules.

Every name is imported when first asked for (PEP 562): the plugin is loaded in every pytest
session on the machine and must cost an unrelated suite no vcrpy or yaml (``_cassette`` imports
vcrpy, ``_serializer`` yaml), and serving scenarios needs neither.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .._exceptions import (
    CassetteError,
    CassetteFormatError,
    CassetteMissing,
    RequestDrift,
    UnplayedInteractions,
)

if TYPE_CHECKING:
    from ._cassette import Cassette
    from ._formats import Interaction, load_cassette, recorded_provenance
    from ._index import CassetteIndex, Recorded
    from ._matching import DEFAULT_IGNORED_FIELDS
    from ._recording import CassetteSpec, canonical_base_url
    from ._scrub import Secrets, scrub_json
    from ._serializer import encode_cassette, serializer

__all__ = [
    "DEFAULT_IGNORED_FIELDS",
    "Cassette",
    "CassetteError",
    "CassetteFormatError",
    "CassetteIndex",
    "CassetteMissing",
    "CassetteSpec",
    "Interaction",
    "Recorded",
    "RequestDrift",
    "Secrets",
    "UnplayedInteractions",
    "canonical_base_url",
    "encode_cassette",
    "load_cassette",
    "recorded_provenance",
    "scrub_json",
    "serializer",
]

# Each lazily imported name and the module that defines it.
_HOMES = {
    "Cassette": "_cassette",
    "Interaction": "_formats",
    "load_cassette": "_formats",
    "recorded_provenance": "_formats",
    "CassetteIndex": "_index",
    "Recorded": "_index",
    "DEFAULT_IGNORED_FIELDS": "_matching",
    "CassetteSpec": "_recording",
    "canonical_base_url": "_recording",
    "Secrets": "_scrub",
    "scrub_json": "_scrub",
    "encode_cassette": "_serializer",
    "serializer": "_serializer",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # asked for once
    return value
