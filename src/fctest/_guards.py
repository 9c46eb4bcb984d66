"""What stands between a model's tool call and a handler: limits, the allow-list, approval.

Every call of a turn is checked in the loop's thread before any handler of that turn starts
(``Admission``): the tool is registered and granted to the run, the arguments are a JSON object
no larger than ``max_argument_bytes`` that pass the tool's schema, and neither the per-tool nor
the per-run call limit is spent. A call that fails goes back to the model as an error result
saying why, and no executor ever sees it. Tools marked ``side_effects=True`` then go to the
run's ``approve`` hook, which may allow the call, deny it with a reason the model reads, or edit
its arguments (checked against the schema again).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from ._exceptions import UsageError
from ._messages import ToolCall, ToolResult
from ._registry import RegisteredTool

__all__ = [
    "Admitted",
    "Allow",
    "Approver",
    "Decision",
    "Deny",
    "Edit",
    "Limits",
    "Refused",
    "approver_name",
    "check_decision",
]

# How much of a malformed argument text goes back to the model.
_QUOTE = 500


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on one run. ``None`` switches a bound off.

    ``max_steps``: model calls. ``max_tool_calls``: tool calls admitted in the whole run.
    ``max_calls_per_tool``: per tool name, one number for every tool or a mapping of names.
    ``max_time``: seconds for the whole run (checked before each model call; a turn's tools get
    what is left). ``max_argument_bytes``: the size of one call's arguments as JSON text.
    ``tool_timeout``: seconds one call may take (a registry entry's own ``timeout`` wins).
    """

    max_steps: int = 10
    max_tool_calls: int | None = None
    max_calls_per_tool: int | Mapping[str, int] | None = None
    max_time: float | None = None
    max_argument_bytes: int | None = 1_000_000
    tool_timeout: float | None = 60.0

    def __post_init__(self) -> None:
        _positive_int("max_steps", self.max_steps, optional=False)
        _positive_int("max_tool_calls", self.max_tool_calls)
        _positive_int("max_argument_bytes", self.max_argument_bytes)
        _positive_number("max_time", self.max_time)
        _positive_number("tool_timeout", self.tool_timeout)
        per_tool = self.max_calls_per_tool
        if isinstance(per_tool, Mapping):
            for name, value in per_tool.items():
                _positive_int(f"max_calls_per_tool[{name!r}]", value, optional=False)
        else:
            _positive_int("max_calls_per_tool", per_tool)

    def per_tool(self, name: str) -> int | None:
        per_tool = self.max_calls_per_tool
        if isinstance(per_tool, Mapping):
            return per_tool.get(name)
        return per_tool


def _positive_int(name: str, value: object, *, optional: bool = True) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UsageError(f"Limits.{name} must be a positive integer, got {value!r}")


def _positive_number(name: str, value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise UsageError(f"Limits.{name} must be a positive number of seconds, got {value!r}")


# --- approval -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Allow:
    """Run the call as the model made it. ``by`` names who approved (for the audit trail)."""

    by: str | None = None


@dataclass(frozen=True, slots=True)
class Deny:
    """Do not run the call; the model gets ``reason`` as the call's error result."""

    reason: str
    by: str | None = None


@dataclass(frozen=True, slots=True)
class Edit:
    """Run the call with these arguments instead (they must pass the tool's schema)."""

    arguments: dict[str, Any] = field(default_factory=dict)
    by: str | None = None


Decision: TypeAlias = Allow | Deny | Edit
Approver: TypeAlias = Callable[[ToolCall], "Decision | bool | Awaitable[Decision | bool]"]
"""``approve(call)``: a decision (``True``/``False`` mean allow/deny), sync or async."""


def approver_name(approve: object) -> str:
    return str(getattr(approve, "__qualname__", None) or type(approve).__qualname__)


def check_decision(value: object, call: ToolCall) -> Decision:
    """The hook's answer as a ``Decision``; anything else is ``UsageError`` naming the call."""
    if value is True:
        return Allow()
    if value is False:
        return Deny("the call was not approved")
    if isinstance(value, (Allow, Deny, Edit)):
        if isinstance(value, Edit) and not isinstance(value.arguments, dict):
            raise UsageError(f"approve({call.name!r}): Edit.arguments must be a dict")
        return value
    raise UsageError(
        f"approve({call.name!r}) returned {value!r}; return fctest.Allow(), "
        "fctest.Deny(reason), fctest.Edit(arguments), True or False"
    )


# --- admission ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Admitted:
    """A call that may run (after approval, if ``needs_approval``)."""

    call: ToolCall
    entry: RegisteredTool
    approver: str | None = None
    decision: str | None = None

    @property
    def needs_approval(self) -> bool:
        return self.entry.tool.side_effects and self.decision is None


@dataclass(frozen=True, slots=True)
class Refused:
    """A call that will not run, with why (``outcome``: the audit trail's word for it)."""

    call: ToolCall
    result: ToolResult
    outcome: str
    approver: str | None = None


def refuse(call: ToolCall, outcome: str, message: str, approver: str | None = None) -> Refused:
    return Refused(call, ToolResult(call.id, call.name, message, is_error=True), outcome, approver)


def argument_problem(call: ToolCall, entry: RegisteredTool, limit: int | None) -> Refused | None:
    """Why ``call``'s arguments cannot run, or ``None``."""
    if call.malformed:
        raw = call.raw_arguments or ""
        quoted = raw if len(raw) <= _QUOTE else raw[:_QUOTE] + "..."
        return refuse(
            call,
            "invalid",
            f"the arguments for {call.name!r} are not a JSON object: {quoted!r}; "
            "send the arguments as one JSON object",
        )
    if limit is not None:
        size = argument_size(call)
        if size > limit:
            return refuse(
                call,
                "too_large",
                f"the arguments for {call.name!r} are {size} bytes; the limit is {limit}",
            )
    errors = entry.tool.argument_errors(call.arguments)
    if errors:
        problems = "; ".join(f"{pointer or '/'}: {message}" for pointer, message in errors)
        return refuse(call, "invalid", f"invalid arguments for {call.name!r}: {problems}")
    return None


def argument_size(call: ToolCall) -> int:
    """The arguments' size as the model sent them (its text), else as compact JSON."""
    if call.raw_arguments is not None:
        return len(call.raw_arguments.encode("utf-8", "surrogatepass"))
    text = json.dumps(call.arguments, ensure_ascii=False, separators=(",", ":"), default=str)
    return len(text.encode("utf-8", "surrogatepass"))
