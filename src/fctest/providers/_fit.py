"""Fitting tools to a provider before anything is sent, and mapping its calls back.

Every adapter declares its tools through ``fit_tools``: the tool count, names, descriptions and
strict budget are checked against the adapter's ``Profile``, and each schema goes through a
``DialectTransformer`` that applies the profile's keyword modes (native / rewritten / dropped /
rejected). What was changed is recorded on the ``FittedTool``; what cannot be sent raises
``IncompatibleToolError`` naming the provider, the tool and the JSON pointer.

Decoding is the inverse: ``restorer`` maps a call back to what the user declared (a renamed
tool's original name; under OpenAI-style strict mode, ``null`` for an optional argument that the
user's schema does not allow to be null means "omitted", so the key is removed).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, NoReturn

from .._exceptions import IncompatibleToolError
from .._schema import SchemaChange, SchemaTransformer
from .._tools import Tool

if TYPE_CHECKING:
    from .._messages import Request, ToolCall
    from .._types import JSONObject
    from ._base import Adapter
    from ._profile import Profile

__all__ = [
    "DialectTransformer",
    "FittedTool",
    "fit_tools",
    "make_strict",
    "restorer",
    "wire_name",
]


@dataclass(frozen=True, slots=True)
class FittedTool:
    """A tool as it goes on the wire for one adapter, with every change fctest made to it."""

    tool: Tool
    name: str
    description: str
    parameters: JSONObject
    strict: bool
    changes: tuple[SchemaChange, ...] = ()
    nullable_optionals: bool = False
    """True when optional properties were made required-and-nullable (OpenAI strict)."""


class DialectTransformer(SchemaTransformer):
    """Applies a profile's keyword modes to every schema node.

    Providers subclass it to implement ``rewrite_keyword`` (for keywords their profile marks
    ``rewritten``) and ``strict_node`` (what strict mode adds to a node, e.g. ``make_strict``).
    The reason recorded for a keyword is the profile's ``sources["keywords.<kw>"]`` entry, so
    each change cites where the rule comes from.
    """

    def __init__(
        self, schema: JSONObject, *, tool: str, adapter: str, profile: Profile, strict: bool
    ) -> None:
        super().__init__(schema, tool=tool)
        self.adapter = adapter
        self.profile = profile
        self.strict = strict
        self.nullable_optionals = False

    def reject(self, pointer: str, reason: str) -> NoReturn:
        raise IncompatibleToolError(self.adapter, self.tool, pointer, reason)

    def reason(self, keyword: str) -> str:
        mode = "strict" if self.strict else "non-strict"
        source = self.profile.sources.get(f"keywords.{keyword}") or self.profile.sources.get(
            "keywords", "the adapter's profile"
        )
        return f"{keyword!r} is not accepted by {self.adapter} in {mode} mode ({source})"

    def transform(self, node: JSONObject, pointer: str) -> JSONObject:
        out: JSONObject = {}
        for keyword, value in node.items():
            mode = self.profile.keyword_mode(keyword, strict=self.strict)
            if mode == "native":
                out[keyword] = value
            elif mode == "dropped":
                self.drop(pointer, keyword, self.reason(keyword))
            elif mode == "rejected":
                self.reject(f"{pointer}/{keyword}", self.reason(keyword))
            else:
                out.update(self.rewrite_keyword(keyword, value, node, pointer))
        return self.strict_node(out, pointer) if self.strict else out

    def rewrite_keyword(
        self, keyword: str, value: Any, node: JSONObject, pointer: str
    ) -> JSONObject:
        """Keys to put in place of ``keyword`` (record the change with ``rewrite``)."""
        self.reject(f"{pointer}/{keyword}", f"no rewrite is defined for {keyword!r}")
        return {}

    def strict_node(self, node: JSONObject, pointer: str) -> JSONObject:
        """What strict mode requires of a node. Default: nothing."""
        return node


def _is_object(node: JSONObject) -> bool:
    t = node.get("type")
    return t == "object" or (isinstance(t, list) and "object" in t) or "properties" in node


# Keywords other than ``type``/``enum`` that can reject ``null``: a node holding one of them is
# widened by wrapping it in ``anyOf`` rather than by editing its ``type``.
_NULL_BLOCKERS = ("$ref", "const", "not", "allOf", "anyOf", "oneOf", "if")


def _accepts_null(schema: Any, defs: Mapping[str, Any] | None = None, depth: int = 0) -> bool:
    """Whether ``null`` is valid under ``schema`` (``$ref`` followed when ``defs`` are given)."""
    if not isinstance(schema, dict):
        return schema is not False
    if depth > 32:
        return False
    ref = schema.get("$ref")
    if isinstance(ref, str) and not (
        defs is not None and ref in defs and _accepts_null(defs[ref], defs, depth + 1)
    ):
        return False
    t = schema.get("type")
    if t is not None and t != "null" and not (isinstance(t, list) and "null" in t):
        return False
    if "enum" in schema and None not in schema["enum"]:
        return False
    if "const" in schema and schema["const"] is not None:
        return False
    if "anyOf" in schema and not any(_accepts_null(s, defs, depth + 1) for s in schema["anyOf"]):
        return False
    if "oneOf" in schema and sum(_accepts_null(s, defs, depth + 1) for s in schema["oneOf"]) != 1:
        return False
    if "allOf" in schema and not all(_accepts_null(s, defs, depth + 1) for s in schema["allOf"]):
        return False
    return not ("not" in schema and _accepts_null(schema["not"], defs, depth + 1))


def _nullable(schema: Any) -> Any:
    """``schema`` widened to also accept ``null`` (in the form strict decoders understand)."""
    if not isinstance(schema, dict) or _accepts_null(schema):
        return schema
    if not any(k in schema for k in _NULL_BLOCKERS):
        # Only ``type`` and ``enum`` reject null here: widen both.
        out = dict(schema)
        t = schema.get("type")
        if t is not None:
            out["type"] = [*t, "null"] if isinstance(t, list) else [t, "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        return out
    if not any(k in schema for k in ("type", "enum", *_NULL_BLOCKERS) if k != "anyOf"):
        return {**schema, "anyOf": [*schema["anyOf"], {"type": "null"}]}
    return {"anyOf": [schema, {"type": "null"}]}


def make_strict(
    node: JSONObject, pointer: str, transformer: SchemaTransformer, *, require_all: bool
) -> JSONObject:
    """An object node made strict: ``additionalProperties: false`` and, with ``require_all``
    (OpenAI strict: "all fields must be required"), every property required, the optional
    ones made nullable so the model can still leave them out (sends ``null``).

    An explicit open ``additionalProperties`` (true or a schema) cannot be made strict without
    changing what the user meant, so it is rejected rather than closed silently.
    """
    if not _is_object(node):
        return node
    extra = node.get("additionalProperties")
    if extra is not None and extra is not False:
        transformer.reject(
            f"{pointer}/additionalProperties",
            "strict mode needs additionalProperties: false; this object allows extra keys",
        )
    out = dict(node)
    if extra is None:
        out["additionalProperties"] = False
        transformer.rewrite(pointer, "additionalProperties", "strict mode closes every object")
    props = node.get("properties") or {}
    if require_all:
        required = set(node.get("required", ()))
        optional = [name for name in props if name not in required]
        if optional:
            out["properties"] = {
                name: (_nullable(sub) if name in optional else sub) for name, sub in props.items()
            }
            transformer.rewrite(
                pointer,
                "required",
                f"strict mode requires every property; optional {optional} made nullable",
            )
            if isinstance(transformer, DialectTransformer):
                transformer.nullable_optionals = True
        out["required"] = list(props)
    return out


def wire_name(name: str, profile: Profile, taken: set[str]) -> str:
    """``name`` if the provider accepts it, else a deterministic, collision-free rename.

    Characters outside ``[a-zA-Z0-9_-]`` become ``_``; a name that must start with a letter or
    ``_`` gets a ``_`` prefix; a name that is too long, or whose clean form is taken, is cut and
    given a hash of the original (C01-C04).
    """
    pattern = profile.tool_name_pattern
    limit = profile.tool_name_max_length
    if len(name) <= limit and re.fullmatch(pattern, name) and name not in taken:
        return name
    clean = re.sub(r"[^a-zA-Z0-9_-]", "_", name) or "_"
    if not re.fullmatch(pattern, clean[:1] + "a") and re.fullmatch(pattern, "_" + clean[:1]):
        clean = "_" + clean
    if len(clean) <= limit and clean not in taken and re.fullmatch(pattern, clean):
        return clean
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return f"{clean[: max(1, limit - 9)]}_{digest}"


def _resolve_strict(tool: Tool, adapter: Adapter) -> bool:
    profile = adapter.profile
    if profile.strict_mode == "always":
        return True
    if profile.strict_mode == "none":
        if tool.strict:
            raise IncompatibleToolError(
                adapter.name, tool.name, "", "strict tools are not supported by this provider"
            )
        return False
    return profile.strict_default if tool.strict is None else tool.strict


_CACHE: dict[tuple[str, int, int, int], tuple[Sequence[Tool], Profile, tuple[FittedTool, ...]]] = {}


def fit_tools(
    adapter: Adapter,
    tools: Sequence[Tool],
    *,
    transformer: type[DialectTransformer] | None = None,
) -> tuple[FittedTool, ...]:
    """The tools as ``adapter`` will send them, or ``IncompatibleToolError``.

    ``transformer`` defaults to the adapter's own (``Adapter.transformer``).

    Results are cached per tool tuple and profile (tools are immutable), so decoding can call
    this again to map calls back at no cost.
    """
    if transformer is None:
        transformer = adapter.transformer
    if not isinstance(tools, tuple):  # a list may change after it was cached
        return _fit(adapter, tools, transformer)
    # The profile is part of the key: variants of one adapter share its name (Gemini's OpenAPI
    # dialect, a user's subclass with a narrower profile).
    profile = adapter.profile
    key = (adapter.name, id(profile), id(tools), id(transformer))
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is tools and hit[1] is profile:
        return hit[2]
    fitted = _fit(adapter, tools, transformer)
    if len(_CACHE) > 512:
        _CACHE.clear()
    _CACHE[key] = (tools, profile, fitted)
    return fitted


def _fit(
    adapter: Adapter, tools: Sequence[Tool], transformer: type[DialectTransformer]
) -> tuple[FittedTool, ...]:
    profile = adapter.profile
    if profile.max_tools is not None and len(tools) > profile.max_tools:
        raise IncompatibleToolError(
            adapter.name,
            tools[profile.max_tools].name,
            "",
            f"{len(tools)} tools in one request; at most {profile.max_tools} are accepted "
            f"({profile.sources.get('max_tools', 'profile')})",
        )
    taken = {t.name for t in tools if re.fullmatch(profile.tool_name_pattern, t.name)}
    out: list[FittedTool] = []
    n_strict = 0
    for t in tools:
        strict = _resolve_strict(t, adapter)
        n_strict += strict
        walker = transformer(
            t.parameters, tool=t.name, adapter=adapter.name, profile=profile, strict=strict
        )
        parameters = walker.walk()
        changes = list(walker.changes)
        name = t.name
        if not (len(name) <= profile.tool_name_max_length and name in taken):
            name = wire_name(t.name, profile, taken)
            if not re.fullmatch(profile.tool_name_pattern, name):
                raise IncompatibleToolError(
                    adapter.name,
                    t.name,
                    "",
                    f"the name cannot be made to match {profile.tool_name_pattern}",
                )
            taken.add(name)
            changes.append(
                SchemaChange(
                    "",
                    "name",
                    "rewritten",
                    f"renamed to {name!r}: {adapter.name} "
                    f"names must match {profile.tool_name_pattern}",
                )
            )
        description = t.description
        limit = profile.description_max_length
        if limit is not None and len(description) > limit:
            description = description[:limit]
            changes.append(
                SchemaChange("", "description", "rewritten", f"cut to {limit} characters")
            )
        out.append(
            FittedTool(
                t, name, description, parameters, strict, tuple(changes), walker.nullable_optionals
            )
        )
    if profile.max_strict_tools is not None and n_strict > profile.max_strict_tools:
        raise IncompatibleToolError(
            adapter.name,
            [f.tool.name for f in out if f.strict][profile.max_strict_tools],
            "",
            f"{n_strict} strict tools in one request; at most {profile.max_strict_tools} "
            f"({profile.sources.get('max_strict_tools', 'profile')})",
        )
    return tuple(out)


def _branch(value: Any, branches: Sequence[Any], defs: JSONObject) -> Any:
    """The ``anyOf``/``oneOf`` branch an object or array value was generated under, if clear.

    Strict mode sends every property, so an object's keys name its branch (pydantic's
    ``Model | None`` is ``anyOf: [{$ref}, {type: null}]``).
    """
    resolved = [
        defs.get(b["$ref"], b) if isinstance(b, dict) and "$ref" in b else b for b in branches
    ]
    if isinstance(value, dict):
        objects = [b for b in resolved if isinstance(b, dict) and _is_object(b)]
        if len(objects) == 1:
            return objects[0]
        keys = value.keys()
        for b in objects:
            if keys == (b.get("properties") or {}).keys():
                return b
        return next((b for b in objects if keys <= (b.get("properties") or {}).keys()), None)
    if isinstance(value, list):
        return next((b for b in resolved if isinstance(b, dict) and "items" in b), None)
    return None


def _drop_nulls(
    value: Any, schema: Any, defs: JSONObject, depth: int = 0, *, all_optional: bool = False
) -> Any:
    """Remove ``null`` values that stand for omitted optional properties (see ``make_strict``).

    A null is kept where the user's own schema accepts it (it may mean something), unless
    ``all_optional``: then every optional property sent as null is dropped.
    """
    if depth > 64 or not isinstance(schema, dict) or value is None:
        return value
    again = {"all_optional": all_optional}
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref in defs:
        value = _drop_nulls(value, defs[ref], defs, depth + 1, **again)
    for sub in schema.get("allOf") or ():
        value = _drop_nulls(value, sub, defs, depth + 1, **again)
    branches = [*(schema.get("anyOf") or ()), *(schema.get("oneOf") or ())]
    if branches:
        value = _drop_nulls(value, _branch(value, branches, defs), defs, depth + 1, **again)
    props = schema.get("properties")
    if isinstance(value, dict) and isinstance(props, dict):
        required = set(schema.get("required", ()))
        out = {}
        for k, v in value.items():
            sub = props.get(k)
            if sub is None:
                out[k] = v
            elif v is None and k not in required and (all_optional or not _accepts_null(sub, defs)):
                continue
            else:
                out[k] = _drop_nulls(v, sub, defs, depth + 1, **again)
        return out
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [_drop_nulls(v, schema["items"], defs, depth + 1, **again) for v in value]
    return value


def restorer(
    adapter: Adapter,
    request: Request | None,
    *,
    transformer: type[DialectTransformer] | None = None,
) -> Callable[[ToolCall], ToolCall] | None:
    """A function mapping decoded calls back to the declared tools, or ``None`` if none needed."""
    if request is None or not request.tools:
        return None
    fitted = fit_tools(adapter, request.tools, transformer=transformer)
    by_wire = {f.name: f for f in fitted}
    if all(f.name == f.tool.name and not f.nullable_optionals for f in fitted):
        return None

    def restore(call: ToolCall) -> ToolCall:
        f = by_wire.get(call.name)
        if f is None:
            return call
        arguments = call.arguments
        if f.nullable_optionals:
            schema = f.tool.parameters
            defs = SchemaTransformer.collect_defs(schema)
            arguments = _drop_nulls(arguments, schema, defs)
            if f.tool.argument_errors(arguments):
                # A kept null can break a keyword strict mode did not send (maxProperties):
                # then the nulls were omissions after all, if dropping them makes it valid.
                bare = _drop_nulls(arguments, schema, defs, all_optional=True)
                if not f.tool.argument_errors(bare):
                    arguments = bare
        if f.tool.name == call.name and arguments is call.arguments:
            return call
        return replace(call, name=f.tool.name, arguments=arguments)

    return restore
