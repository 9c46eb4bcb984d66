"""One tool-loop run as a state machine with no I/O (h11's shape, applied to the loop).

``RunState`` knows the transcript, the registry, the run's grants and limits, and what has
been spent; the drivers in ``fctest._runner`` (sync, async, plain and streamed) do the calling:
they ask ``offer()`` for the next request's messages and tools, hand the model's answer to
``answered()``, which admits or refuses each call (``fctest._guards``), settle approvals with
``decided()``, run what is admitted, report each result with ``ran()``, and close the turn
with ``turn_done()``. The audit records (``fctest._audit``) are written here, so every driver
writes the same ones.

Step numbers in records and events count model calls from 1.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ._audit import recorded_arguments
from ._exceptions import MaxStepsExceeded, RunLimitExceeded, UsageError
from ._guards import (
    Admitted,
    Decision,
    Deny,
    Edit,
    Limits,
    Refused,
    argument_problem,
    refuse,
)
from ._log import Events
from ._messages import Message, Response, ToolCall, ToolResult
from ._registry import RegisteredTool, ToolRegistry
from ._tools import Tool
from ._types import ToolChoice

__all__ = ["Offer", "RunResult", "RunState", "Slot"]

Slot = Admitted | Refused


@dataclass(frozen=True, slots=True)
class RunResult:
    """What ``run`` returns: the whole conversation and the model's final answer.

    ``messages`` is the transcript: the messages given, then every assistant turn and every tool
    message, ending with the final assistant turn. ``responses`` holds every model answer in
    order (``response`` is the last). ``run_id`` is the id the audit records carry.
    """

    messages: tuple[Message, ...]
    response: Response
    responses: tuple[Response, ...]
    run_id: str = ""

    @property
    def text(self) -> str | None:
        """The final answer's text."""
        return self.response.text

    @property
    def steps(self) -> int:
        """How many model calls the loop made."""
        return len(self.responses)

    @property
    def tool_results(self) -> tuple[ToolResult, ...]:
        """Every tool result fed back to the model, in order."""
        return tuple(r for m in self.messages if m.role == "tool" for r in m.tool_results)


@dataclass(frozen=True, slots=True)
class Offer:
    """The next model call: the transcript so far, the tool choice and the tools offered."""

    step: int
    messages: tuple[Message, ...]
    tool_choice: ToolChoice | None
    tools: tuple[Tool, ...]


def _names(value: Iterable[str] | None, what: str) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{what} takes a list of tool names, got {value!r}")
    return frozenset(value)


class RunState:
    """A run's transcript, grants, limits and bookkeeping."""

    def __init__(
        self,
        messages: Sequence[Message],
        registry: ToolRegistry,
        *,
        limits: Limits,
        allow: Iterable[str] | None,
        approver: str | None,
        tool_choice: ToolChoice | None,
        events: Events,
        provider: str,
        model: str,
        run_id: str | None = None,
    ) -> None:
        self.registry = registry
        self.limits = limits
        self.allow = _names(allow, "allow")
        self.approver = approver
        self.events = events
        self.provider = provider
        self.model = model
        self.run_id = run_id if run_id is not None else uuid.uuid4().hex
        if not isinstance(self.run_id, str) or not self.run_id:
            raise UsageError(f"run_id must be a non-empty string, got {run_id!r}")
        self.history = list(messages)
        self.responses: list[Response] = []
        self.step = 0
        self.calls = 0
        self.per_tool: Counter[str] = Counter()
        self._choice = tool_choice
        self._offered: Mapping[str, RegisteredTool] = {}
        self._results: list[ToolResult | None] = []
        self._check_options()
        self.started = time.monotonic()
        if events.auditing():
            events.audit(
                "run_started",
                f"run {self.run_id}: {provider} {model}",
                run_id=self.run_id,
                provider=provider,
                model=model,
                tools=sorted(self._granted()),
            )

    def _check_options(self) -> None:
        """Names in the options that are not registered are typos: say so before sending."""
        registered = set(self.registry.names())
        per_tool = self.limits.max_calls_per_tool
        for what, names in (
            ("allow", self.allow or ()),
            ("Limits.max_calls_per_tool", per_tool if isinstance(per_tool, Mapping) else ()),
        ):
            unknown = sorted(set(names) - registered)
            if unknown:
                raise UsageError(
                    f"{what} names tools that are not registered: {', '.join(unknown)}; "
                    f"registered: {', '.join(sorted(registered)) or 'none'}"
                )
        granted = self._granted()
        if not granted:
            raise UsageError("run() needs at least one tool; use complete() for a plain answer")
        if self.approver is None:
            unattended = sorted(n for n, e in granted.items() if e.tool.side_effects)
            if unattended:
                raise UsageError(
                    f"tools with side effects need an approve= hook: {', '.join(unattended)} "
                    "(approve=lambda call: True runs them unattended)"
                )

    def _granted(self) -> dict[str, RegisteredTool]:
        entries = self.registry.snapshot()
        if self.allow is None:
            return dict(entries)
        return {n: e for n, e in entries.items() if n in self.allow}

    # --- the model's side -----------------------------------------------------------------
    def remaining(self) -> float | None:
        """Seconds left under ``max_time``."""
        if self.limits.max_time is None:
            return None
        return self.limits.max_time - (time.monotonic() - self.started)

    def offer(self) -> Offer:
        """The next model call, or ``RunLimitExceeded`` if a limit says there is none."""
        if self.step >= self.limits.max_steps:
            raise MaxStepsExceeded(self.limits.max_steps, self.history)
        left = self.remaining()
        if left is not None and left <= 0:
            raise RunLimitExceeded(
                "max_time",
                f"no final answer within {self.limits.max_time:g} s ({self.step} model calls)",
                self.history,
            )
        self._offered = self._granted()
        choice = self._choice
        if self.step and choice is not None:
            choice = "auto"  # a forced call applies once, or it would repeat forever
        self.step += 1
        return Offer(
            self.step, tuple(self.history), choice, tuple(e.tool for e in self._offered.values())
        )

    def answered(self, response: Response) -> list[Slot] | None:
        """Each call's slot (admitted or refused), or ``None``: the run is over."""
        self.responses.append(response)
        self.history.append(response.to_message())
        if not response.tool_calls:
            return None
        self._results = [None] * len(response.tool_calls)
        return [self._admit(call) for call in response.tool_calls]

    def result(self) -> RunResult:
        self.finished("ok")
        return RunResult(
            tuple(self.history), self.responses[-1], tuple(self.responses), self.run_id
        )

    def finished(self, outcome: str, error: BaseException | None = None) -> None:
        if self.events.auditing():
            self.events.audit(
                "run_finished",
                f"run {self.run_id}: {outcome} after {self.step} model calls",
                run_id=self.run_id,
                provider=self.provider,
                model=self.model,
                outcome=outcome,
                steps=self.step,
                tool_calls=self.calls,
                error=None if error is None else f"{type(error).__name__}: {error}",
                duration_ms=round((time.monotonic() - self.started) * 1000, 3),
            )

    # --- admission ------------------------------------------------------------------------
    def _admit(self, call: ToolCall) -> Slot:
        entry = self._offered.get(call.name)
        if entry is None:
            return self._refused_unknown(call)
        problem = _checked(call, entry, self.limits.max_argument_bytes)
        if problem is not None:
            return problem
        limit = self.limits.max_tool_calls
        if limit is not None and self.calls >= limit:
            return refuse(call, "limit", f"the run's limit of {limit} tool calls is reached")
        per_tool = self.limits.per_tool(call.name)
        if per_tool is not None and self.per_tool[call.name] >= per_tool:
            return refuse(
                call, "limit", f"the limit of {per_tool} calls to {call.name!r} is reached"
            )
        self.calls += 1
        self.per_tool[call.name] += 1
        return Admitted(call, entry)

    def _refused_unknown(self, call: ToolCall) -> Refused:
        offered = ", ".join(sorted(self._offered)) or "none"
        if call.name in self.registry:
            return refuse(
                call,
                "not_allowed",
                f"tool {call.name!r} is not available in this run; "
                f"the tools you can call are: {offered}",
            )
        return refuse(
            call, "unknown", f"unknown tool {call.name!r}; the tools you can call are: {offered}"
        )

    def decided(self, slot: Admitted, decision: Decision | BaseException) -> Slot:
        """The approver's answer applied: the call as allowed or edited, or refused."""
        by = self.approver
        if isinstance(decision, BaseException):
            text = f"{type(decision).__name__}: {decision}"
            return refuse(slot.call, "approval_failed", f"the approval failed: {text}", by)
        by = decision.by or by
        if isinstance(decision, Deny):
            return refuse(slot.call, "denied", f"the call was denied: {decision.reason}", by)
        if isinstance(decision, Edit):
            call = replace(
                slot.call, arguments=decision.arguments, raw_arguments=None, malformed=False
            )
            problem = _checked(call, slot.entry, self.limits.max_argument_bytes)
            if problem is not None:
                why = problem.result.content
                return refuse(call, problem.outcome, f"the approver's edit was refused: {why}", by)
            return Admitted(call, slot.entry, by, "edit")
        return Admitted(slot.call, slot.entry, by, "allow")

    def timeout(self, slot: Admitted) -> float | None:
        """Seconds ``slot``'s call may run: its own or the run's timeout, within ``max_time``."""
        own = slot.entry.timeout if slot.entry.timeout is not None else self.limits.tool_timeout
        left = self.remaining()
        if left is None:
            return own
        left = max(left, 0.0)
        return left if own is None else min(own, left)

    # --- the tools' side ------------------------------------------------------------------
    def ran(
        self,
        index: int,
        slot: Slot,
        result: ToolResult,
        outcome: str,
        *,
        duration: float = 0.0,
        error: str | None = None,
    ) -> ToolResult:
        """Record call ``index``'s result (and its audit record); returns it."""
        self._results[index] = result
        if self.events.auditing():
            self._audit_tool(slot, result, outcome, duration, error)
        return result

    def _audit_tool(
        self, slot: Slot, result: ToolResult, outcome: str, duration: float, error: str | None
    ) -> None:
        entry = slot.entry if isinstance(slot, Admitted) else self._offered.get(result.name)
        fields: dict[str, Any] = recorded_arguments(slot.call, self.events)
        if error is None and result.is_error and isinstance(result.content, str):
            error = result.content
        self.events.audit(
            "tool_call",
            f"run {self.run_id} step {self.step}: tool {result.name} {outcome}",
            run_id=self.run_id,
            step=self.step,
            provider=self.provider,
            model=self.model,
            tool=result.name,
            call_id=result.call_id,
            owner=None if entry is None else entry.owner,
            version=None if entry is None else entry.version,
            **fields,
            outcome=outcome,
            error=error,
            duration_ms=round(duration * 1000, 3),
            approver=slot.approver,
            decision=slot.decision if isinstance(slot, Admitted) else _decision(outcome),
        )

    def turn_done(self) -> tuple[ToolResult, ...]:
        """Close the turn: its results, in call order, become one tool message."""
        results = tuple(r for r in self._results if r is not None)
        self.history.append(Message.tool(*results))
        return results


def _decision(outcome: str) -> str | None:
    return "deny" if outcome in ("denied", "approval_failed") else None


def _checked(call: ToolCall, entry: RegisteredTool, limit: int | None) -> Refused | None:
    try:
        return argument_problem(call, entry, limit)
    except RecursionError:
        return refuse(call, "invalid", f"the arguments for {call.name!r} are nested too deeply")
