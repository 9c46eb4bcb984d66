"""Provider dialects: what each provider accepts, as data, and fitting tools to it.

The heart of fctest. A ``Profile`` says what a provider (or a model family) accepts: tool
names, limits, JSON Schema keywords in strict and non-strict mode, tool_choice, ids, and the
small wire settings that differ between OpenAI-compatible vendors. ``fit_request`` /
``fit_tools`` fit tools and output schemas to a profile before anything is sent (or refuse
them with ``IncompatibleToolError`` naming the provider, the tool and the JSON pointer), and
the resulting ``Fitting`` maps decoded calls back to what the user declared.

Providers differ per model too: a profile's ``models`` (``ModelRule``: a family, its model-name
patterns, the fields it changes and the source) are applied by ``Profile.for_model``, and
``fit_request`` fits a request with the profile resolved for its model.

The pieces are public so that adapters, ``fctest check``, the strategies and third-party
dialects share one implementation:

- the walker: ``SchemaTransformer`` (one ``$ref``-aware, bottom-up walk; dialects override
  ``transform``), ``subschemas``, ``collect_defs``, ``SchemaChange``;
- ``DialectTransformer``: a profile's keyword modes applied to every node;
- the named rewrites dialects share: ``as_any_of``, ``merge_single_all_of``,
  ``const_as_enum``, ``make_strict`` (with ``accepts_null``, ``nullable``, ``is_object``);
- ids: ``IdRule`` (what a provider accepts), ``IdMapper`` and ``fit_id`` (deterministic
  remapping of ids replayed from another provider).
"""

from __future__ import annotations

from ._fit import FittedSchema, FittedTool, Fitting, fit_output, fit_request, fit_tools, wire_name
from ._ids import IdMapper, IdRule, fit_id
from ._keywords import KeywordMode, ValueCase, ValueRule, ValueTest
from ._models import ModelRule, normalise_model
from ._profile import OutputStrictness, Profile, StrictMode
from ._restore import drop_nulls, fill_nulls
from ._rewrites import (
    accepts_null,
    as_any_of,
    const_as_enum,
    is_object,
    make_strict,
    merge_single_all_of,
    nullable,
)
from ._transformer import DialectTransformer
from ._walker import SchemaChange, SchemaTransformer, collect_defs, subschemas

__all__ = [
    "DialectTransformer",
    "FittedSchema",
    "FittedTool",
    "Fitting",
    "IdMapper",
    "IdRule",
    "KeywordMode",
    "ModelRule",
    "OutputStrictness",
    "Profile",
    "SchemaChange",
    "SchemaTransformer",
    "StrictMode",
    "ValueCase",
    "ValueRule",
    "ValueTest",
    "accepts_null",
    "as_any_of",
    "collect_defs",
    "const_as_enum",
    "drop_nulls",
    "fill_nulls",
    "fit_id",
    "fit_output",
    "fit_request",
    "fit_tools",
    "is_object",
    "make_strict",
    "merge_single_all_of",
    "normalise_model",
    "nullable",
    "subschemas",
    "wire_name",
]
