"""Will these tools work on these providers? The check behind ``fctest check`` and
``assert_compatible``, and the keyword-by-provider table of the capability matrix.

``check(tools, providers)`` builds, offline, one request per tool and provider with each
adapter (the same ``build_request`` a real call runs), and one with all the tools together
(request-wide limits: tool counts, strict budgets, names that collide once rewritten). Each
verdict is:

- ``compatible``: sent as written;
- ``rewritten``: compatible after rewriting; the ``FittedTool.changes`` say what changed, and
  ``client_side`` lists the constraints the provider no longer sees (dropped, or moved into a
  description), which fctest checks against the user's schema before a tool runs
  (``Tool.invoke``, the tool loop; ``Tool.validate_arguments`` for calls handled by hand);
- ``incompatible``: refused before sending, with the reason and the JSON pointer.

It also flags requirements no single schema meets across the selected providers: a keyword one
provider refuses where another sends it as written, and a name not every provider takes as it is.

``keyword_table()`` tries one small schema per JSON Schema keyword on every adapter, strict and
not, and reports what the profile declares next to what the adapter did (the property tests in
``tests/properties`` check the two agree); ``keyword_results()`` turns it into
``fctest.matrix.Result`` records (capability ``keyword:<name>``).

Nothing here imports hypothesis, pytest or an SDK; nothing is sent.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal, TextIO

from ._exceptions import FctestError, IncompatibleToolError, UsageError
from ._messages import Message, Request
from ._tools import Tool, check_unique_names
from .dialect import FittedTool, SchemaChange, fit_tools, wire_name
from .providers import Adapter, Config, adapter_names, get_adapter

if TYPE_CHECKING:
    from .matrix import Result

__all__ = [
    "Conflict",
    "IncompatibleToolsError",
    "KeywordRow",
    "Report",
    "Verdict",
    "assert_compatible",
    "check",
    "keyword_results",
    "keyword_table",
    "load_tools",
    "run_check",
]

Status = Literal["compatible", "rewritten", "incompatible"]

_MODEL = "fctest-check"
_USER = Message.user("fctest check")
# A change whose reason says so is a constraint the provider no longer enforces (moved into a
# description, or left to fctest's own validation of the call).
_CLIENT_SIDE_HINTS = ("client", "into the description")
# Keywords that constrain nothing: dropping them leaves nothing to check.
_ANNOTATIONS = frozenset(
    {"name", "description", "title", "default", "examples", "example", "deprecated",
     "readOnly", "writeOnly", "$comment", "$schema", "$id", "$anchor"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Verdict:
    """One tool on one provider."""

    tool: str
    provider: str
    status: Status
    wire_name: str | None = None
    strict: bool | None = None
    changes: tuple[SchemaChange, ...] = ()
    client_side: tuple[SchemaChange, ...] = ()
    """The changes whose constraint only fctest checks now (``Tool.validate_arguments``)."""
    pointer: str | None = None
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status}
        if self.status == "incompatible":
            out.update(pointer=self.pointer, reason=self.reason)
            return out
        out.update(
            wire_name=self.wire_name,
            strict=self.strict,
            changes=[_change_json(c) for c in self.changes],
            client_side=[_change_json(c) for c in self.client_side],
        )
        return out


@dataclass(frozen=True, slots=True)
class Conflict:
    """A requirement no single schema (or name) meets on every selected provider."""

    tool: str
    kind: Literal["name", "keyword"]
    pointer: str
    message: str
    providers: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "tool": self.tool,
            "kind": self.kind,
            "pointer": self.pointer,
            "message": self.message,
            "providers": list(self.providers),
        }


@dataclass(frozen=True, slots=True)
class Report:
    """Every verdict (tool by provider, in the order given) and every conflict."""

    providers: tuple[str, ...]
    tools: tuple[str, ...]
    verdicts: tuple[Verdict, ...]
    conflicts: tuple[Conflict, ...] = ()

    @property
    def ok(self) -> bool:
        """No selected provider refuses any tool."""
        return all(v.status != "incompatible" for v in self.verdicts)

    def verdict(self, tool: str, provider: str) -> Verdict:
        for v in self.verdicts:
            if v.tool == tool and v.provider == provider:
                return v
        raise UsageError(f"no verdict for tool {tool!r} on {provider!r}")

    def statuses(self) -> dict[str, dict[str, Status]]:
        """``{tool: {provider: status}}``: the verdicts at a glance."""
        out: dict[str, dict[str, Status]] = {t: {} for t in self.tools}
        for v in self.verdicts:
            out[v.tool][v.provider] = v.status
        return out

    def to_json(self) -> dict[str, Any]:
        tools = []
        for name in self.tools:
            results = {v.provider: v.to_json() for v in self.verdicts if v.tool == name}
            tools.append({"name": name, "results": results})
        return {
            "ok": self.ok,
            "providers": list(self.providers),
            "tools": tools,
            "conflicts": [c.to_json() for c in self.conflicts],
            "summary": self._summary(),
        }

    def _summary(self) -> dict[str, int]:
        counts = {"compatible": 0, "rewritten": 0, "incompatible": 0}
        for v in self.verdicts:
            counts[v.status] += 1
        return counts

    def render(self) -> str:
        """The report as a person reads it (what ``fctest check`` prints)."""
        width = max((len(p) for p in self.providers), default=0) + 2
        lines: list[str] = []
        for name in self.tools:
            lines.append(name)
            for v in self.verdicts:
                if v.tool != name:
                    continue
                label = v.provider.ljust(width)
                if v.status == "incompatible":
                    where = f" at {v.pointer}" if v.pointer else ""
                    lines.append(f"  {label}incompatible{where}: {v.reason}")
                    continue
                if v.status == "compatible":
                    lines.append(f"  {label}compatible")
                    continue
                lines.append(f"  {label}compatible after rewriting")
                pad = " " * (2 + width + 2)
                for c in v.changes:
                    lines.append(f"{pad}{c.pointer or '/'} {c.keyword}: {c.action}: {c.reason}")
                if v.client_side:
                    checked = ", ".join(f"{c.pointer or '/'} {c.keyword}" for c in v.client_side)
                    lines.append(f"{pad}checked client-side only: {checked}")
        if self.conflicts:
            lines.append("")
            lines.append("requirements no single schema meets on every selected provider:")
            for conflict in self.conflicts:
                lines.append(f"  {conflict.tool}: {conflict.message}")
        s = self._summary()
        lines.append("")
        lines.append(
            f"{len(self.tools)} tool(s) x {len(self.providers)} provider(s): "
            f"{s['compatible']} compatible, {s['rewritten']} after rewriting, "
            f"{s['incompatible']} incompatible"
        )
        return "\n".join(lines) + "\n"


class IncompatibleToolsError(FctestError, AssertionError):
    """Raised by ``assert_compatible``: a tool a selected provider refuses (fails a test)."""

    def __init__(self, report: Report) -> None:
        self.report = report
        super().__init__("tools incompatible with a selected provider:\n" + report.render())


def _change_json(c: SchemaChange) -> dict[str, str]:
    return {"pointer": c.pointer, "keyword": c.keyword, "action": c.action, "reason": c.reason}


def _client_side(c: SchemaChange) -> bool:
    if c.keyword in _ANNOTATIONS:
        return False
    return c.action == "dropped" or any(h in c.reason for h in _CLIENT_SIDE_HINTS)


def _config(adapter: Adapter) -> Config:
    # Only the body matters here: any base URL satisfies adapters that need one (Azure).
    return adapter.config_type(base_url=adapter.profile.base_url or "https://fctest.invalid")


def _adapters(providers: Iterable[str] | None) -> list[Adapter]:
    names = list(providers) if providers is not None else adapter_names()
    if not names:
        raise UsageError("no providers selected")
    return [get_adapter(n) for n in dict.fromkeys(names)]


def _one(adapter: Adapter, tool: Tool) -> Verdict:
    request = Request(model=_MODEL, messages=(_USER,), tools=(tool,))
    try:
        adapter.build_request(request, _config(adapter))
        (fitted,) = fit_tools((tool,), adapter.profile, provider=adapter.name)
    except IncompatibleToolError as exc:
        return Verdict(
            tool.name, adapter.name, "incompatible", pointer=exc.pointer, reason=exc.reason
        )
    except UsageError as exc:
        return Verdict(tool.name, adapter.name, "incompatible", pointer="", reason=str(exc))
    return _fitted_verdict(adapter, fitted)


def _fitted_verdict(adapter: Adapter, fitted: FittedTool) -> Verdict:
    return Verdict(
        fitted.tool.name,
        adapter.name,
        "rewritten" if fitted.changes else "compatible",
        wire_name=fitted.name,
        strict=fitted.strict,
        changes=fitted.changes,
        client_side=tuple(c for c in fitted.changes if _client_side(c)),
    )


def check(
    tools: Tool | Iterable[Tool],
    providers: Iterable[str] | None = None,
    *,
    strict: bool | None = None,
) -> Report:
    """Check ``tools`` against ``providers`` (default: every registered adapter), offline.

    ``strict``: check every tool as if declared with ``strict=strict`` (``None``: as declared).
    """
    items = (tools,) if isinstance(tools, Tool) else tuple(tools)
    for t in items:
        if not isinstance(t, Tool):
            raise UsageError(f"fctest check needs fctest.Tool values, got {type(t).__name__}")
    check_unique_names(items)  # one request declares them all
    if strict is not None:
        items = tuple(replace(t, strict=strict) for t in items)
    adapters = _adapters(providers)
    verdicts: dict[tuple[str, str], Verdict] = {}
    for adapter in adapters:
        for t in items:
            verdicts[(t.name, adapter.name)] = _one(adapter, t)
        if len(items) > 1 and all(
            verdicts[(t.name, adapter.name)].status != "incompatible" for t in items
        ):
            # Together: request-wide limits and names that collide once rewritten.
            request = Request(model=_MODEL, messages=(_USER,), tools=items)
            try:
                adapter.build_request(request, _config(adapter))
                fitted = fit_tools(items, adapter.profile, provider=adapter.name)
            except IncompatibleToolError as exc:
                reason = f"together with the other tools: {exc.reason}"
                verdicts[(exc.tool, adapter.name)] = Verdict(
                    exc.tool, adapter.name, "incompatible", pointer=exc.pointer, reason=reason
                )
            else:
                for f in fitted:
                    verdicts[(f.tool.name, adapter.name)] = _fitted_verdict(adapter, f)
    names = tuple(t.name for t in items)
    ordered = tuple(verdicts[(t, a.name)] for t in names for a in adapters)
    providers_ = tuple(a.name for a in adapters)
    conflicts = _conflicts(items, adapters, verdicts)
    return Report(providers_, names, ordered, conflicts)


def _conflicts(
    tools: Sequence[Tool], adapters: Sequence[Adapter], verdicts: Mapping[tuple[str, str], Verdict]
) -> tuple[Conflict, ...]:
    if len(adapters) < 2:
        return ()
    out: list[Conflict] = []
    for t in tools:
        mine = [verdicts[(t.name, a.name)] for a in adapters]
        accepted = [v for v in mine if v.status != "incompatible"]
        # A keyword some providers refuse while others send it as written.
        refusals: dict[str, list[Verdict]] = {}
        for v in mine:
            if v.status == "incompatible" and v.pointer:
                refusals.setdefault(v.pointer, []).append(v)
        for pointer, refused in refusals.items():
            keeping = [
                v.provider
                for v in accepted
                if not any(pointer in (c.pointer, f"{c.pointer}/{c.keyword}") for c in v.changes)
            ]
            if keeping:
                names = [v.provider for v in refused]
                out.append(
                    Conflict(
                        t.name,
                        "keyword",
                        pointer,
                        f"{pointer} is refused by {', '.join(names)} ({refused[0].reason}) and "
                        f"sent as written to {', '.join(keeping)}: no one schema keeps it and is "
                        f"accepted by all; change it, or declare a separate tool for "
                        f"{', '.join(names)}",
                        (*names, *keeping),
                    )
                )
        # Calls come back under different names from different providers.
        wire = {v.provider: v.wire_name for v in accepted}
        if len(set(wire.values())) > 1:
            shown = ", ".join(f"{p} {n!r}" for p, n in wire.items())
            portable = _portable_name(t.name, adapters)
            hint = f"; {portable!r} would be accepted as written by all" if portable else ""
            out.append(
                Conflict(
                    t.name,
                    "name",
                    "",
                    f"no one name is sent to every provider ({shown}){hint}",
                    tuple(wire),
                )
            )
    return tuple(out)


def _portable_name(name: str, adapters: Sequence[Adapter]) -> str | None:
    """A name every adapter's profile accepts as it is, made the way fctest renames."""
    import re

    candidate = name
    for _ in range(4):
        for a in adapters:
            candidate = wire_name(candidate, a.profile, set())
        if all(
            re.fullmatch(a.profile.tool_name_pattern, candidate)
            and len(candidate) <= a.profile.tool_name_max_length
            for a in adapters
        ):
            return candidate
    return None


def assert_compatible(
    tools: Tool | Iterable[Tool],
    providers: Iterable[str] | None = None,
    *,
    strict: bool | None = None,
    allow_rewrites: bool = True,
) -> Report:
    """``check``, for an app's test suite: raise ``IncompatibleToolsError`` (an
    ``AssertionError``) when a selected provider refuses a tool, or, with
    ``allow_rewrites=False``, when any tool would be rewritten. Returns the report."""
    report = check(tools, providers, strict=strict)
    if not report.ok or (
        not allow_rewrites and any(v.status == "rewritten" for v in report.verdicts)
    ):
        raise IncompatibleToolsError(report)
    return report


# --- loading a target ---------------------------------------------------------------------------


def load_tools(target: str) -> tuple[Tool, ...]:
    """The tools ``target`` names.

    ``target`` is a JSON file of tool definitions (OpenAI style
    ``[{"type": "function", "function": {...}}]``, the flat ``[{"name", "description",
    "parameters"}]``, Anthropic's ``input_schema`` or MCP's ``inputSchema``, or an object with a
    ``"tools"`` list), or a Python import path: ``pkg.mod:attr`` / ``pkg.mod.attr`` naming a
    ``Tool`` or a list of them, or ``pkg.mod`` (every ``Tool`` defined at its top level).
    """
    path = Path(target)
    if target.endswith(".json") or path.is_file():
        return _tools_from_json(path)
    return _tools_from_python(target)


def _tools_from_json(path: Path) -> tuple[Tool, ...]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise UsageError(f"{path} is not JSON: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("tools"), list):
        data = data["tools"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise UsageError(f"{path}: expected a list of tool definitions")
    out = []
    for i, entry in enumerate(data):
        if not isinstance(entry, dict):
            raise UsageError(f"{path}: entry {i} is not an object")
        spec = (
            entry.get("function")
            if entry.get("type") == "function" and "function" in entry
            else entry
        )
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
            raise UsageError(f"{path}: entry {i} has no 'name'")
        schema = next(
            (spec[k] for k in ("parameters", "input_schema", "inputSchema") if k in spec),
            {"type": "object", "properties": {}},
        )
        strict = spec.get("strict")
        out.append(
            Tool(
                spec["name"],
                spec.get("description") or "",
                schema,
                strict=strict if isinstance(strict, bool) else None,
            )
        )
    return tuple(out)


def _tools_from_python(target: str) -> tuple[Tool, ...]:
    module_name, _, attr = target.partition(":")
    value: Any
    if attr:
        value = _attribute(_import(module_name, target), attr, target)
    else:
        try:
            value = importlib.import_module(target)
        except ModuleNotFoundError as exc:
            if exc.name is None or not target.startswith(exc.name) or "." not in target:
                raise UsageError(f"cannot import {target!r}: {exc}") from None
            module_name, _, attr = target.rpartition(".")
            value = _attribute(_import(module_name, target), attr, target)
    if isinstance(value, Tool):
        return (value,)
    if isinstance(value, ModuleType):
        found = [v for v in vars(value).values() if isinstance(v, Tool)]
        unique = list({id(t): t for t in found}.values())
        if not unique:
            raise UsageError(f"module {value.__name__!r} defines no fctest.Tool at its top level")
        return tuple(unique)
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, Tool) for v in value):
        return tuple(value)
    raise UsageError(
        f"{target!r} is not a fctest.Tool, a list of them, or a module (got {type(value).__name__})"
    )


def _import(module_name: str, target: str) -> ModuleType:
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        raise UsageError(f"cannot import {module_name!r} (from {target!r}): {exc}") from None


def _attribute(module: ModuleType, attr: str, target: str) -> Any:
    value: Any = module
    for part in attr.split("."):
        try:
            value = getattr(value, part)
        except AttributeError:
            raise UsageError(f"{target!r}: {module.__name__!r} has no attribute {attr!r}") from None
    return value


def run_check(
    target: str,
    providers: Sequence[str] | None,
    *,
    output: Literal["text", "json"] = "text",
    strict: bool | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """``fctest check``: 0 when every selected provider accepts every tool, 1 when one refuses
    a tool, 2 when the target cannot be loaded or the options are wrong."""
    out = out or sys.stdout
    err = err or sys.stderr
    if os.getcwd() not in sys.path:  # import paths are relative to where the command runs
        sys.path.insert(0, os.getcwd())
    try:
        tools = load_tools(target)
        report = check(tools, providers or None, strict=strict)
    except UsageError as exc:
        err.write(f"fctest check: {exc}\n")
        return 2
    if output == "json":
        out.write(json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(report.render())
    return 0 if report.ok else 1


# --- the keyword-by-provider table --------------------------------------------------------------

KeywordMode = Literal["native", "rewritten", "dropped", "rejected"]
_S: dict[str, Any] = {"type": "string"}

# keyword -> (a property schema using it, or a root-level fragment when the key starts with "/").
KEYWORD_PROBES: Mapping[str, Any] = {
    "type": {"type": ["string", "integer"]},
    "properties": {"type": "object", "properties": {"a": _S}, "required": ["a"]},
    "required": {"type": "object", "properties": {"a": _S, "b": _S}, "required": ["a"]},
    "additionalProperties": {"type": "object", "properties": {"a": _S}, "additionalProperties": _S},
    "items": {"type": "array", "items": _S},
    "prefixItems": {"type": "array", "prefixItems": [_S, {"type": "integer"}]},
    "enum": {"enum": ["a", 1, None]},
    "const": {"const": 3},
    "anyOf": {"anyOf": [_S, {"type": "integer"}]},
    "oneOf": {"oneOf": [_S, {"type": "integer"}]},
    "allOf": {"allOf": [{"type": "object", "properties": {"a": _S}}, {"required": ["a"]}]},
    "not": {"type": "string", "not": {"const": "x"}},
    "if": {"type": "string", "if": {"minLength": 2}, "then": {"maxLength": 5}},
    "$ref": {"$ref": "#/$defs/Item"},
    "format": {"type": "string", "format": "hostname"},
    "pattern": {"type": "string", "pattern": "^[a-z]+$"},
    "minLength": {"type": "string", "minLength": 2},
    "maxLength": {"type": "string", "maxLength": 5},
    "minimum": {"type": "integer", "minimum": 1},
    "maximum": {"type": "integer", "maximum": 9},
    "exclusiveMinimum": {"type": "number", "exclusiveMinimum": 0},
    "exclusiveMaximum": {"type": "number", "exclusiveMaximum": 1},
    "multipleOf": {"type": "integer", "multipleOf": 5},
    "minItems": {"type": "array", "items": _S, "minItems": 2},
    "maxItems": {"type": "array", "items": _S, "maxItems": 3},
    "uniqueItems": {"type": "array", "items": _S, "uniqueItems": True},
    "contains": {"type": "array", "items": _S, "contains": {"const": "x"}},
    "minContains": {"type": "array", "items": _S, "contains": _S, "minContains": 2},
    "maxContains": {"type": "array", "items": _S, "contains": _S, "maxContains": 2},
    "minProperties": {"type": "object", "properties": {"a": _S}, "minProperties": 1},
    "maxProperties": {"type": "object", "properties": {"a": _S}, "maxProperties": 1},
    "patternProperties": {"type": "object", "patternProperties": {"^x_": _S}},
    "propertyNames": {"type": "object", "propertyNames": {"pattern": "^[a-z]+$"}},
    "dependentRequired": {"type": "object", "dependentRequired": {"a": ["b"]}},
    "default": {"type": "string", "default": "x"},
    "description": {"type": "string", "description": "d"},
    "title": {"type": "string", "title": "T"},
    "examples": {"type": "string", "examples": ["x"]},
    "deprecated": {"type": "string", "deprecated": True},
    "$comment": {"type": "string", "$comment": "c"},
    "/$schema": "https://json-schema.org/draft/2020-12/schema",
    "/$defs": {"Item": {"type": "object", "properties": {"a": _S}}},
    "/$id": "https://example.com/tool.json",
}  # fmt: skip
"""One schema per keyword, realistic rather than minimal (``required`` leaves a property
optional, ``additionalProperties`` is a schema), so the table shows what users meet."""


@dataclass(frozen=True, slots=True)
class KeywordRow:
    """What one adapter, in one mode, does with one keyword: declared (its profile) and
    observed (the probe schema fitted by the adapter)."""

    provider: str
    strict: bool
    keyword: str
    declared: KeywordMode
    observed: KeywordMode | Literal["lost"]
    """``lost``: the keyword disappeared with no change recorded (a bug: property 2)."""
    changes: tuple[SchemaChange, ...] = ()
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "mode": "strict" if self.strict else "non-strict",
            "keyword": self.keyword,
            "declared": self.declared,
            "observed": self.observed,
            "changes": [_change_json(c) for c in self.changes],
            "reason": self.reason,
        }


def _probe_tool(keyword: str, strict: bool) -> Tool:
    probe = KEYWORD_PROBES[keyword]
    schema: dict[str, Any] = {"type": "object", "properties": {"p": probe}}
    if keyword.startswith("/"):
        schema = {keyword[1:]: probe, "type": "object", "properties": {"p": _S}}
    if keyword == "$ref":
        schema["$defs"] = KEYWORD_PROBES["/$defs"]
    return Tool("probe", "", schema, strict=strict)


def _modes(adapter: Adapter) -> tuple[bool, ...]:
    mode = adapter.profile.strict_mode
    return {"always": (True,), "none": (False,)}.get(mode, (False, True))


def _observe(adapter: Adapter, keyword: str, strict: bool) -> KeywordRow:
    name = keyword.lstrip("/")
    declared: KeywordMode = adapter.profile.keyword_mode(name, strict=strict)
    tool = _probe_tool(keyword, strict)
    try:
        adapter.build_request(
            Request(model=_MODEL, messages=(_USER,), tools=(tool,)), _config(adapter)
        )
        (fitted,) = fit_tools((tool,), adapter.profile, provider=adapter.name)
    except IncompatibleToolError as exc:
        return KeywordRow(adapter.name, strict, name, declared, "rejected", reason=exc.reason)
    changes = tuple(c for c in fitted.changes if c.keyword == name)
    if any(c.action == "dropped" for c in changes):
        return KeywordRow(adapter.name, strict, name, declared, "dropped", changes)
    if changes:
        return KeywordRow(adapter.name, strict, name, declared, "rewritten", changes)
    if _mentions(fitted.parameters, name):
        return KeywordRow(adapter.name, strict, name, declared, "native")
    return KeywordRow(
        adapter.name,
        strict,
        name,
        declared,
        "lost",
        reason="gone from the sent schema, no change recorded",
    )


def _mentions(schema: Any, keyword: str) -> bool:
    if isinstance(schema, dict):
        return keyword in schema or any(_mentions(v, keyword) for v in schema.values())
    if isinstance(schema, list):
        return any(_mentions(v, keyword) for v in schema)
    return False


def keyword_table(providers: Iterable[str] | None = None) -> tuple[KeywordRow, ...]:
    """Every probe keyword on every adapter (default: all registered), in each strict mode the
    adapter has: the profile's declared mode and the observed one."""
    rows = []
    for adapter in _adapters(providers):
        for strict in _modes(adapter):
            for keyword in KEYWORD_PROBES:
                rows.append(_observe(adapter, keyword, strict))
    return tuple(rows)


_OUTCOME = {
    "native": "pass",
    "rewritten": "partial",
    "dropped": "partial",
    "rejected": "unsupported",
    "lost": "fail",
}


def keyword_results(providers: Iterable[str] | None = None) -> list[Result]:
    """``keyword_table`` as ``fctest.matrix.Result`` records, capability ``keyword:<name>``:
    native is ``pass``, rewritten or dropped ``partial`` (``changes`` says how), rejected
    ``unsupported``, a keyword lost without a recorded change ``fail``."""
    from .matrix import Result

    out = []
    for row in keyword_table(providers):
        mode = "strict" if row.strict else "non-strict"
        out.append(
            Result(
                provider=row.provider,
                capability=f"keyword:{row.keyword}",
                outcome=_OUTCOME[row.observed],  # type: ignore[arg-type]
                test_id=f"fctest.compat.keyword_table[{row.provider}-{mode}-{row.keyword}]",
                reason=row.reason,
                declared=row.declared,
                changes=tuple(
                    f"{mode}: {c.pointer or '/'} {c.keyword} {c.action}: {c.reason}"
                    for c in row.changes
                ),
            )
        )
    return out
