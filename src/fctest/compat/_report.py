"""What ``fctest check`` found: a verdict per tool and provider, the conflicts between
providers, and the report that renders them (text for people, JSON for machines).

Private: the classes are public as ``fctest.compat.Verdict``, ``Conflict``, ``Report`` and
``IncompatibleToolsError``. Values only: nothing here builds a request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .._exceptions import FctestError, UsageError
from ..dialect import SchemaChange

__all__ = [
    "Conflict",
    "IncompatibleToolsError",
    "ModelView",
    "Report",
    "Status",
    "Verdict",
    "change_json",
]

Status = Literal["compatible", "rewritten", "incompatible"]


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
    notes: tuple[str, ...] = ()
    """What the model's rules mean for this tool beyond its schema (strict sent but not
    enforced; parallel calls that cannot be switched off), each with its source."""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status}
        if self.status == "incompatible":
            out.update(pointer=self.pointer, reason=self.reason)
            return out
        out.update(
            wire_name=self.wire_name,
            strict=self.strict,
            changes=[change_json(c) for c in self.changes],
            client_side=[change_json(c) for c in self.client_side],
        )
        if self.notes:
            out["notes"] = list(self.notes)
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
    model: str | None = None
    """The model checked for (``None``: each provider's documented defaults)."""
    models: Mapping[str, ModelView] = field(default_factory=dict)
    """Provider -> the model families that matched and what they change from the defaults."""

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
        out: dict[str, Any] = {
            "ok": self.ok,
            "providers": list(self.providers),
            "tools": tools,
            "conflicts": [c.to_json() for c in self.conflicts],
            "summary": self._summary(),
        }
        if self.model is not None:
            out["model"] = self.model
            out["models"] = {p: view.to_json() for p, view in self.models.items()}
        return out

    def _summary(self) -> dict[str, int]:
        counts = {"compatible": 0, "rewritten": 0, "incompatible": 0}
        for v in self.verdicts:
            counts[v.status] += 1
        return counts

    def render(self) -> str:
        """The report as a person reads it (what ``fctest check`` prints)."""
        width = max((len(p) for p in self.providers), default=0) + 2
        lines: list[str] = _model_lines(self.model, self.models)
        for name in self.tools:
            lines.append(name)
            for v in self.verdicts:
                if v.tool == name:
                    lines += _verdict_lines(v, width)
        if self.conflicts:
            lines.append("")
            lines.append("requirements no single schema meets on every selected provider:")
            lines += [f"  {conflict.tool}: {conflict.message}" for conflict in self.conflicts]
        s = self._summary()
        lines.append("")
        lines.append(
            f"{len(self.tools)} tool(s) x {len(self.providers)} provider(s): "
            f"{s['compatible']} compatible, {s['rewritten']} after rewriting, "
            f"{s['incompatible']} incompatible"
        )
        return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class ModelView:
    """What one provider's rules say about the model checked: the families that matched (none:
    a model no rule knows, with the provider's defaults) and the fields they change, with
    their sources."""

    families: tuple[str, ...]
    changes: Mapping[str, Any]
    sources: Mapping[str, str]

    def to_json(self) -> dict[str, Any]:
        return {
            "families": list(self.families),
            "changes": dict(self.changes),
            "sources": dict(self.sources),
        }


def _model_lines(model: str | None, models: Mapping[str, ModelView]) -> list[str]:
    if model is None:
        return []
    lines = [f"model {model}:"]
    for provider, view in models.items():
        families = ", ".join(view.families) or "no model rule: the provider's defaults"
        lines.append(f"  {provider}: {families}")
        lines += [
            f"    {name} = {value!r} ({view.sources.get(name, 'no source')})"
            for name, value in view.changes.items()
        ]
    return [*lines, ""]


def _verdict_lines(v: Verdict, width: int) -> list[str]:
    """One verdict as rendered under its tool, the provider's name padded to ``width``."""
    label = v.provider.ljust(width)
    if v.status == "incompatible":
        where = f" at {v.pointer}" if v.pointer else ""
        return [f"  {label}incompatible{where}: {v.reason}"]
    pad = " " * (2 + width + 2)
    lines = [
        f"  {label}{'compatible' if v.status == 'compatible' else 'compatible after rewriting'}"
    ]
    lines += [
        f"{pad}{c.pointer or '/'} {c.keyword}: {c.action}: {c.reason}"
        for c in v.changes
        if v.status == "rewritten"
    ]
    if v.client_side:
        checked = ", ".join(f"{c.pointer or '/'} {c.keyword}" for c in v.client_side)
        lines.append(f"{pad}checked client-side only: {checked}")
    lines += [f"{pad}note: {note}" for note in v.notes]
    return lines


class IncompatibleToolsError(FctestError, AssertionError):
    """Raised by ``assert_compatible``: a tool a selected provider refuses (fails a test)."""

    def __init__(self, report: Report) -> None:
        self.report = report
        super().__init__("tools incompatible with a selected provider:\n" + report.render())


def change_json(c: SchemaChange) -> dict[str, str]:
    return {"pointer": c.pointer, "keyword": c.keyword, "action": c.action, "reason": c.reason}
