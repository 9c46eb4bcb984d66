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

import json
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import fields, replace
from typing import Literal, TextIO

from .._exceptions import IncompatibleToolError, UsageError
from .._tools import Tool, check_unique_names
from ..dialect import FittedTool, Profile, SchemaChange
from ..providers import Adapter
from ._conflicts import conflicts
from ._keywords import KeywordRow, keyword_results, keyword_table
from ._load import load_tools
from ._offline import fit_offline, selected_adapters
from ._report import Conflict, IncompatibleToolsError, ModelView, Report, Verdict

__all__ = [
    "Conflict",
    "IncompatibleToolsError",
    "KeywordRow",
    "ModelView",
    "Report",
    "Verdict",
    "assert_compatible",
    "check",
    "keyword_results",
    "keyword_table",
    "load_tools",
    "run_check",
]

# A change whose reason says so is a constraint the provider no longer enforces (moved into a
# description, or left to fctest's own validation of the call).
_CLIENT_SIDE_HINTS = ("client", "into the description")
# Keywords that constrain nothing: dropping them leaves nothing to check.
# Profile fields that describe the profile rather than what a model family changes.
_NOT_RULES = frozenset({"models", "model", "model_families", "sources"})
_ANNOTATIONS = frozenset(
    {"name", "description", "title", "default", "examples", "example", "deprecated",
     "readOnly", "writeOnly", "$comment", "$schema", "$id", "$anchor"}
)  # fmt: skip


def check(
    tools: Tool | Iterable[Tool],
    providers: Iterable[str] | None = None,
    *,
    strict: bool | None = None,
    model: str | None = None,
) -> Report:
    """Check ``tools`` against ``providers`` (default: every registered adapter), offline.

    ``strict``: check every tool as if declared with ``strict=strict`` (``None``: as declared).
    ``model``: check for that model, with each provider's profile resolved for it (model
    families differ: ``fctest.dialect.ModelRule``); ``None``: the documented defaults.
    """
    items = (tools,) if isinstance(tools, Tool) else tuple(tools)
    for t in items:
        if not isinstance(t, Tool):
            raise UsageError(f"fctest check needs fctest.Tool values, got {type(t).__name__}")
    check_unique_names(items)  # one request declares them all
    if strict is not None:
        items = tuple(replace(t, strict=strict) for t in items)
    adapters = selected_adapters(providers)
    verdicts = {
        (tool, adapter.name): verdict
        for adapter in adapters
        for tool, verdict in _verdicts(adapter, items, model).items()
    }
    names = tuple(t.name for t in items)
    ordered = tuple(verdicts[(t, a.name)] for t in names for a in adapters)
    providers_ = tuple(a.name for a in adapters)
    views = {a.name: _model_view(a, model) for a in adapters} if model is not None else {}
    found = conflicts(items, adapters, verdicts)
    return Report(providers_, names, ordered, found, model, views)


def _model_view(adapter: Adapter, model: str) -> ModelView:
    """The families matching ``model`` on ``adapter`` and the fields they change."""
    base = adapter.profile
    resolved = base.for_model(model)
    changed = {
        f.name: getattr(resolved, f.name)
        for f in fields(base)
        if f.name not in _NOT_RULES and getattr(resolved, f.name) != getattr(base, f.name)
    }
    sources = {name: resolved.sources.get(name, "") for name in changed}
    return ModelView(resolved.model_families, changed, sources)


def _verdicts(adapter: Adapter, tools: tuple[Tool, ...], model: str | None) -> dict[str, Verdict]:
    """Tool name -> verdict on ``adapter``: each tool alone, then all of them together."""
    out = {t.name: _alone(adapter, t, model) for t in tools}
    if len(tools) > 1 and all(v.status != "incompatible" for v in out.values()):
        # Together: request-wide limits and names that collide once rewritten.
        out.update((v.tool, v) for v in _together(adapter, tools, model))
    return out


def _alone(adapter: Adapter, tool: Tool, model: str | None) -> Verdict:
    try:
        (fitted,) = fit_offline(adapter, (tool,), model)
    except IncompatibleToolError as exc:
        return Verdict(
            tool.name, adapter.name, "incompatible", pointer=exc.pointer, reason=exc.reason
        )
    except UsageError as exc:
        return Verdict(tool.name, adapter.name, "incompatible", pointer="", reason=str(exc))
    return _fitted_verdict(adapter, fitted, model)


def _together(adapter: Adapter, tools: tuple[Tool, ...], model: str | None) -> list[Verdict]:
    try:
        fitted = fit_offline(adapter, tools, model)
    except IncompatibleToolError as exc:
        reason = f"together with the other tools: {exc.reason}"
        return [Verdict(exc.tool, adapter.name, "incompatible", pointer=exc.pointer, reason=reason)]
    return [_fitted_verdict(adapter, f, model) for f in fitted]


def _fitted_verdict(adapter: Adapter, fitted: FittedTool, model: str | None) -> Verdict:
    return Verdict(
        fitted.tool.name,
        adapter.name,
        # Keywords sent as written but not enforced change nothing: the tool is compatible,
        # and ``client_side`` says what only fctest checks.
        "rewritten" if any(c.action != "unenforced" for c in fitted.changes) else "compatible",
        wire_name=fitted.name,
        strict=fitted.strict,
        changes=fitted.changes,
        client_side=tuple(c for c in fitted.changes if _client_side(c)),
        notes=_notes(adapter.profile.for_model(model or "fctest-check"), fitted),
    )


def _notes(profile: Profile, fitted: FittedTool) -> tuple[str, ...]:
    """What the resolved profile means for a strict tool beyond its schema."""
    if not fitted.strict:
        return ()
    notes = []
    if not profile.strict_enforced:
        source = profile.sources.get("strict_enforced", "the provider's profile")
        notes.append(
            "strict is sent, but the provider does not enforce it for this model: the "
            f"arguments are checked client-side ({source})"
        )
    if not profile.parallel_call_control and profile.strict_mode == "per_tool":
        source = profile.sources.get("parallel_call_control", "the provider's profile")
        notes.append(
            "parallel calls cannot be switched off for this model, so strict calls may come "
            f"in parallel ({source})"
        )
    return tuple(notes)


def _client_side(c: SchemaChange) -> bool:
    if c.keyword in _ANNOTATIONS:
        return False
    return c.action in ("dropped", "unenforced") or any(h in c.reason for h in _CLIENT_SIDE_HINTS)


def assert_compatible(
    tools: Tool | Iterable[Tool],
    providers: Iterable[str] | None = None,
    *,
    strict: bool | None = None,
    model: str | None = None,
    allow_rewrites: bool = True,
) -> Report:
    """``check``, for an app's test suite: raise ``IncompatibleToolsError`` (an
    ``AssertionError``) when a selected provider refuses a tool, or, with
    ``allow_rewrites=False``, when any tool would be rewritten. Returns the report."""
    report = check(tools, providers, strict=strict, model=model)
    if not report.ok or (
        not allow_rewrites and any(v.status == "rewritten" for v in report.verdicts)
    ):
        raise IncompatibleToolsError(report)
    return report


def run_check(
    target: str,
    providers: Sequence[str] | None,
    *,
    output: Literal["text", "json"] = "text",
    strict: bool | None = None,
    model: str | None = None,
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
        report = check(tools, providers or None, strict=strict, model=model)
    except UsageError as exc:
        err.write(f"fctest check: {exc}\n")
        return 2
    if output == "json":
        out.write(json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(report.render())
    return 0 if report.ok else 1
