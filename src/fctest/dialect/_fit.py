"""Fitting a request's tools to a provider before anything is sent, and mapping calls back.

``fit_tools`` checks the tool count, names, descriptions and strict budgets against a
``Profile`` and sends each schema through the profile's transformer (keyword modes native /
rewritten / dropped / rejected, plus what strict mode adds); every change is recorded on the
``FittedTool``, and what cannot be sent raises ``IncompatibleToolError`` naming the provider,
the tool and the JSON pointer. ``fit_request`` does the same for a whole request (tools and
output schema) and returns a ``Fitting`` that every party reuses: the request builder, the
decoder's restorer (a renamed tool's declared name; strict mode's nulls for omitted optional
properties) and the provider's side (the names and nulls a constrained model would send). It
is computed once per request and profile, and kept with the request.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from .._exceptions import IncompatibleToolError, UsageError
from ._restore import drop_nulls, fill_nulls
from ._walker import SchemaChange, collect_defs, subschemas

if TYPE_CHECKING:
    from .._messages import OutputSchema, Request, ToolCall
    from .._tools import Tool
    from .._types import JSONObject
    from ._profile import Profile

__all__ = [
    "FittedSchema",
    "FittedTool",
    "Fitting",
    "fit_output",
    "fit_request",
    "fit_tools",
    "wire_name",
]


@dataclass(frozen=True, slots=True)
class FittedTool:
    """A tool as it goes on the wire for one provider, with every change fctest made to it."""

    tool: Tool
    name: str
    description: str
    parameters: JSONObject
    strict: bool
    changes: tuple[SchemaChange, ...] = ()
    nullable_optionals: bool = False
    """True when optional properties were made required-and-nullable (OpenAI strict)."""


@dataclass(frozen=True, slots=True)
class FittedSchema:
    """A structured-output schema as it goes on the wire: its wire name, the fitted schema and
    whether it was fitted with the strict rules."""

    name: str
    schema: JSONObject
    strict: bool
    changes: tuple[SchemaChange, ...] = ()


class Fitting:
    """One request's tools and output schema as one provider sees them, both directions.

    ``tools`` in declaration order, ``names`` (declared -> wire), ``output`` (``None`` without
    an output schema). ``restorer`` maps decoded calls back to the declared tools (``None``
    when nothing needs mapping); ``wire_arguments`` is the inverse, for the provider's side.
    """

    __slots__ = ("_by_wire", "names", "output", "profile", "provider", "restorer", "tools")

    def __init__(
        self,
        provider: str,
        profile: Profile,
        tools: tuple[FittedTool, ...],
        output: FittedSchema | None = None,
    ) -> None:
        self.provider = provider
        self.profile = profile
        self.tools = tools
        self.output = output
        self.names: Mapping[str, str] = {f.tool.name: f.name for f in tools}
        self._by_wire = {f.name: f for f in tools}
        needed = any(f.name != f.tool.name or f.nullable_optionals for f in tools)
        self.restorer: Callable[[ToolCall], ToolCall] | None = self.restore if needed else None

    def wire_name(self, declared: str) -> str:
        """The name a call to ``declared`` goes on the wire with; a name the request does not
        declare (a call replayed from another conversation) is fitted on its own."""
        found = self.names.get(declared)
        return found if found is not None else wire_name(declared, self.profile, set())

    def restore(self, call: ToolCall) -> ToolCall:
        """``call`` as the user declared it: the declared name, and strict mode's nulls for
        omitted optional properties removed where the user's schema does not allow them."""
        f = self._by_wire.get(call.name)
        if f is None:
            return call
        arguments = call.arguments
        if f.nullable_optionals:
            schema = f.tool.parameters
            defs = collect_defs(schema)
            arguments = drop_nulls(arguments, schema, defs)
            if f.tool.argument_errors(arguments):
                # A kept null can break a keyword strict mode did not send (maxProperties):
                # then the nulls were omissions after all, if dropping them makes it valid.
                bare = drop_nulls(arguments, schema, defs, all_optional=True)
                if not f.tool.argument_errors(bare):
                    arguments = bare
        if f.tool.name == call.name and arguments is call.arguments:
            return call
        return replace(call, name=f.tool.name, arguments=arguments)

    def wire_arguments(self, call: ToolCall) -> JSONObject:
        """The arguments of ``call`` (to a declared tool) as a constrained model would send them:
        under strict mode's required-and-nullable rewrite, omitted optional properties as
        ``null``, but only where decoding gives the user's arguments back (a schema the filling
        does not follow, such as ``anyOf`` branches, keeps the arguments as they are)."""
        arguments = call.arguments
        name = self.names.get(call.name)
        f = self._by_wire.get(name) if name is not None else None
        if f is None or not f.nullable_optionals:
            return arguments
        filled: JSONObject = fill_nulls(arguments, f.parameters, collect_defs(f.parameters))
        if (
            filled != arguments
            and self.restore(replace(call, name=f.name, arguments=filled)).arguments == arguments
        ):
            return filled
        return arguments


def fit_request(request: Request, profile: Profile, *, provider: str) -> Fitting:
    """``request``'s tools and output schema fitted to ``profile`` resolved for the request's
    model (``Fitting.profile`` is that resolved profile), or ``IncompatibleToolError`` (a tool)
    / ``UsageError`` (the output schema). Computed once per request and profile: later calls
    with an equal profile return the same ``Fitting``."""
    profile = profile.for_model(request.model)
    key = (provider, profile)
    memo = request._memo
    found = memo.get(key)
    if isinstance(found, Fitting):
        return found
    _check_output(request, profile, provider)
    tools = fit_tools(request.tools, profile, provider=provider) if request.tools else ()
    output = (
        fit_output(request.output, profile, provider=provider)
        if request.output is not None
        else None
    )
    _check_strict_budget(tools, output, request.output, profile, provider)
    fitting = Fitting(provider, profile, tools, output)
    memo[key] = fitting
    return fitting


def _check_output(request: Request, profile: Profile, provider: str) -> None:
    """Refuse a final answer's schema where the model cannot take it: next to tools, or in a
    stream (``structured_output_with_tools``, ``structured_output_streaming``)."""
    if request.output is None:
        return
    if profile.structured_output != "native":
        raise UsageError(
            f"{provider}: {request.model!r} has no native structured output "
            f"({profile.sources.get('structured_output', 'the provider profile')}); "
            "Client.parse asks for it through a forced tool where the profile allows that"
        )
    for asked, field, what, instead in (
        (bool(request.tools), "structured_output_with_tools", "together with tools", "the tools"),
        (request.stream, "structured_output_streaming", "in a streamed request", "stream=True"),
    ):
        if asked and not getattr(profile, field):
            source = profile.sources.get(field, "the provider's profile")
            raise UsageError(
                f"{provider}: {request.model!r} cannot take a final answer's schema {what} "
                f"({source}); leave out the output schema or {instead}"
            )


def fit_output(output: OutputSchema, profile: Profile, *, provider: str) -> FittedSchema:
    """A structured-output schema fitted with the rules ``profile.output_strictness`` picks."""
    strictness = profile.output_strictness
    strict = output.strict if strictness == "requested" else strictness == "always"
    walker = profile.transformer(
        output.schema, tool=output.name, provider=provider, profile=profile, strict=strict
    )
    schema = walker.walk()
    return FittedSchema(
        wire_name(output.name, profile, set()), schema, strict, tuple(walker.changes)
    )


def wire_name(name: str, profile: Profile, taken: set[str]) -> str:
    """``name`` if the provider accepts it, else a deterministic, collision-free rename.

    Characters outside ``[a-zA-Z0-9_-]`` become ``_``; a name that must start with a letter or
    ``_`` gets a ``_`` prefix; a name that is too long, or whose clean form is taken, is cut and
    given a hash of the original.
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


def _strict(tool: Tool, profile: Profile, provider: str) -> bool:
    strict = profile.strict_for(tool.strict)
    if strict is None:
        raise IncompatibleToolError(
            provider, tool.name, "", "strict tools are not supported by this provider"
        )
    return strict


def fit_tools(tools: Sequence[Tool], profile: Profile, *, provider: str) -> tuple[FittedTool, ...]:
    """The tools as ``provider`` (with ``profile``) will be sent them, or
    ``IncompatibleToolError``. Tools are fitted together: names must stay distinct, and the
    tool count and strict-tool count are request-wide limits."""
    if profile.max_tools is not None and len(tools) > profile.max_tools:
        raise IncompatibleToolError(
            provider,
            tools[profile.max_tools].name,
            "",
            f"{len(tools)} tools in one request; at most {profile.max_tools} are accepted "
            f"({profile.sources.get('max_tools', 'profile')})",
        )
    taken = {t.name for t in tools if re.fullmatch(profile.tool_name_pattern, t.name)}
    out = [_fit_one(t, profile, provider, taken) for t in tools]
    n_strict = sum(f.strict for f in out)
    if profile.max_strict_tools is not None and n_strict > profile.max_strict_tools:
        raise IncompatibleToolError(
            provider,
            [f.tool.name for f in out if f.strict][profile.max_strict_tools],
            "",
            f"{n_strict} strict tools in one request; at most {profile.max_strict_tools} "
            f"({profile.sources.get('max_strict_tools', 'profile')})",
        )
    return tuple(out)


# (tool key, profile, provider, strict) -> the fitted schema: fitting is a pure function of
# these values, so a tool is walked once per provider dialect, however many requests send it
# (a tool loop sends the same tools every step). Bounded: cleared when it grows past _MAX.
_SCHEMAS: dict[tuple[str, Profile, str, bool], tuple[JSONObject, tuple[SchemaChange, ...], bool]]
_SCHEMAS = {}
_MAX = 4096


def _fit_schema(
    t: Tool, profile: Profile, provider: str, strict: bool
) -> tuple[JSONObject, tuple[SchemaChange, ...], bool]:
    """``t``'s parameters in ``profile``'s dialect: (schema, changes, nullable optionals).
    The schema is shared between requests: read-only, like a tool's own ``parameters``."""
    key = (t._key, profile, provider, strict)
    found = _SCHEMAS.get(key)
    if found is None:
        walker = profile.transformer(
            t.parameters, tool=t.name, provider=provider, profile=profile, strict=strict
        )
        found = (walker.walk(), tuple(walker.changes), walker.nullable_optionals)
        if len(_SCHEMAS) >= _MAX:
            _SCHEMAS.clear()
        _SCHEMAS[key] = found
    return found


def _fit_one(t: Tool, profile: Profile, provider: str, taken: set[str]) -> FittedTool:
    strict = _strict(t, profile, provider)
    parameters, fitted_changes, nullable_optionals = _fit_schema(t, profile, provider, strict)
    changes = list(fitted_changes)
    name = t.name
    if not (len(name) <= profile.tool_name_max_length and name in taken):
        name = wire_name(t.name, profile, taken)
        if not re.fullmatch(profile.tool_name_pattern, name):
            raise IncompatibleToolError(
                provider,
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
                f"renamed to {name!r}: {provider} names must match {profile.tool_name_pattern}",
            )
        )
    description = t.description
    limit = profile.description_max_length
    if limit is not None and len(description) > limit:
        description = description[:limit]
        changes.append(SchemaChange("", "description", "rewritten", f"cut to {limit} characters"))
    return FittedTool(t, name, description, parameters, strict, tuple(changes), nullable_optionals)


def _check_strict_budget(
    tools: Sequence[FittedTool],
    output: FittedSchema | None,
    spec: OutputSchema | None,
    profile: Profile,
    provider: str,
) -> None:
    """Request-wide budgets over every strict schema (strict tools and a strict output
    schema): optional properties, and properties typed with a union."""
    limits = (
        (profile.max_strict_optional_params, "optional parameters", "max_strict_optional_params"),
        (
            profile.max_strict_union_params,
            "parameters with union types (anyOf or a type array)",
            "max_strict_union_params",
        ),
    )
    if all(limit is None for limit, _, _ in limits):
        return
    schemas: list[tuple[str, Any, bool]] = [
        (f.tool.name, f.parameters, True) for f in tools if f.strict
    ]
    if output is not None and spec is not None and output.strict:
        schemas.append((spec.name, output.schema, False))
    counts = [0, 0]
    for name, schema, is_tool in schemas:
        for i, n in enumerate(_count_params(schema)):
            counts[i] += n
        for i, (limit, what, field) in enumerate(limits):
            count = counts[i]
            if limit is None or count <= limit:
                continue
            reason = (
                f"{count} {what} across the strict schemas of this request; at most {limit} "
                f"({profile.sources.get(field, 'profile')}). Mark fewer tools strict or make "
                "parameters required"
            )
            if is_tool:
                raise IncompatibleToolError(provider, name, "", reason)
            raise UsageError(f"{provider}: output schema {name!r}: {reason}")


def _count_params(schema: Any) -> tuple[int, int]:
    """(optional properties, properties typed with anyOf or a type array) in a schema."""
    optional = union = 0
    todo = [schema]
    while todo:
        node = todo.pop()
        if not isinstance(node, dict):
            continue
        props = node.get("properties")
        if isinstance(props, dict):
            required = node.get("required") or ()
            optional += sum(1 for p in props if p not in required)
            union += sum(
                1
                for sub in props.values()
                if isinstance(sub, dict) and ("anyOf" in sub or isinstance(sub.get("type"), list))
            )
        todo.extend(sub for _, sub in subschemas(node))
    return optional, union
