"""The tool loop: call the model, run the calls it asked for, feed the results back, repeat.

Each turn's calls are checked first and never raise: an unknown tool name, arguments that are
not a JSON object, and arguments that fail the tool's schema each become an error ``ToolResult``
the model can act on (naming the known tools, quoting the text, listing every failing JSON
pointer). The calls that pass run at once (a thread pool for the sync client; ``asyncio.gather``
with a per-tool timeout for the async one), and a handler that raises becomes an error result
too. The results go back in call order, in one tool message; each adapter then places them the
way its provider demands (one message per result for OpenAI, one user message with the
``tool_result`` blocks first for Anthropic: docs/dialects.md#history-openai,
docs/dialects.md#history-anthropic-placement).

The loop stops on the first answer without tool calls, or raises ``MaxStepsExceeded`` holding
the transcript (which ends with the last turn's results, so it can be continued as is).
Nothing here does HTTP: the client hands in its ``complete``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from logging import DEBUG
from typing import Any

from ._exceptions import MaxStepsExceeded, ToolArgumentsError, ToolExecutionError, UsageError
from ._log import Events
from ._messages import Message, Response, ToolCall, ToolResult
from ._tools import Tool
from ._types import JSONObject, JSONValue, ToolChoice

__all__ = ["RunResult", "arun_loop", "run_loop"]

# How much of a malformed argument text goes back to the model.
_QUOTE = 500


@dataclass(frozen=True, slots=True)
class RunResult:
    """What ``run`` returns: the whole conversation and the model's final answer.

    ``messages`` is the transcript: the messages given, then every assistant turn and every tool
    message, ending with the final assistant turn. ``responses`` holds every model answer in
    order (``response`` is the last).
    """

    messages: tuple[Message, ...]
    response: Response
    responses: tuple[Response, ...]

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


def check_tools(tools: Iterable[Tool]) -> dict[str, Tool]:
    """The loop's tools by name; each must be runnable (a handler, bound if it is a method)."""
    table: dict[str, Tool] = {}
    for t in tools:
        if not isinstance(t, Tool):
            raise UsageError(f"run() takes fctest.Tool values, got {type(t).__name__}: {t!r}")
        if t.handler is None:
            raise UsageError(
                f"tool {t.name!r} has no handler; the tool loop needs one for every tool "
                "(pass Tool(..., handler=fn) or decorate a function with @fctest.tool)"
            )
        t._require_handler()  # a method tool taken from the class, not an instance
        table[t.name] = t
    if not table:
        raise UsageError("run() needs at least one tool; use complete() for a plain answer")
    return table


def check_call(call: ToolCall, tools: Mapping[str, Tool]) -> ToolResult | Tool:
    """The tool to run for ``call``, or the error result to send back instead.

    The arguments are checked against the schema when the tool runs (``Tool.invoke``).
    """
    tool = tools.get(call.name)
    if tool is None:
        known = ", ".join(sorted(tools))
        return _error(call, f"unknown tool {call.name!r}; the tools you can call are: {known}")
    if call.malformed:
        raw = call.raw_arguments or ""
        quoted = raw if len(raw) <= _QUOTE else raw[:_QUOTE] + "..."
        return _error(
            call,
            f"the arguments for {call.name!r} are not a JSON object: {quoted!r}; "
            "send the arguments as one JSON object",
        )
    return tool


def _error(call: ToolCall, message: str) -> ToolResult:
    return ToolResult(call.id, call.name, message, is_error=True)


def to_content(value: Any) -> JSONValue:
    """A handler's return value as a tool result's content: text, or plain JSON values.

    Pydantic models and dataclasses are dumped; the rest goes through a JSON round trip
    (tuples become lists, unknown objects their ``str``), so the content compares and
    records the same however the handler built it.
    """
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if hasattr(value, "model_dump"):  # a pydantic model
        value = value.model_dump(mode="json")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    return json.loads(json.dumps(value, default=str))  # type: ignore[no-any-return]


def _describe(exc: BaseException) -> str:
    """The text the model gets for a failed call."""
    if isinstance(exc, ToolArgumentsError):
        problems = "; ".join(f"{pointer or '/'}: {message}" for pointer, message in exc.errors)
        return f"invalid arguments for {exc.tool!r}: {problems}"
    if isinstance(exc, ToolExecutionError):
        return str(exc)
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def invoke(tool: Tool, arguments: JSONObject) -> Any:
    """Run a tool in this thread; an async handler gets an event loop of its own here."""
    if tool._is_async:
        return asyncio.run(tool.ainvoke(arguments))
    return tool.invoke(arguments)


async def ainvoke(tool: Tool, arguments: JSONObject) -> Any:
    """Run a tool without blocking the event loop: sync handlers run in a worker thread."""
    if tool._is_async:
        return await tool.ainvoke(arguments)
    return await asyncio.to_thread(tool.invoke, arguments)


def _finish(
    call: ToolCall,
    started: float,
    events: Events,
    step: int,
    value: Any = None,
    exc: BaseException | None = None,
) -> ToolResult:
    if exc is None:
        try:
            result = ToolResult(call.id, call.name, to_content(value))
        except Exception as err:  # an odd return value must not end the loop
            exc = err
    if exc is not None:
        result = _error(call, _describe(exc))
    if events.enabled(DEBUG):
        events.emit(
            DEBUG,
            "tool",
            f"tool {call.name} ({call.id}) {'failed' if result.is_error else 'ran'}",
            tool=call.name,
            call_id=call.id,
            step=step,
            duration_ms=round((time.perf_counter() - started) * 1000, 3),
            is_error=result.is_error,
            error=None if exc is None else _describe(exc),
        )
    return result


def _run_one(call: ToolCall, tool: Tool, events: Events, step: int) -> ToolResult:
    started = time.perf_counter()
    try:
        value = invoke(tool, call.arguments)
    except Exception as exc:
        return _finish(call, started, events, step, exc=exc)
    return _finish(call, started, events, step, value)


def _timed_out(call: ToolCall, timeout: float) -> BaseException:
    return ToolExecutionError(call.name, f"no result within {timeout:g} s")


def run_turn(
    calls: Sequence[ToolCall],
    tools: Mapping[str, Tool],
    *,
    events: Events,
    step: int = 0,
    timeout: float | None = None,
    max_workers: int | None = None,
) -> tuple[ToolResult, ...]:
    """Every call's result, in call order; the valid calls run at once in a thread pool.

    A call still running after ``timeout`` seconds gets an error result; Python cannot stop a
    thread, so its handler finishes in the background and its value is dropped.
    """
    results: list[ToolResult | None] = []
    runnable: list[tuple[int, ToolCall, Tool]] = []
    for i, call in enumerate(calls):
        checked = check_call(call, tools)
        if isinstance(checked, ToolResult):
            results.append(checked)
        else:
            results.append(None)
            runnable.append((i, call, checked))
    if len(runnable) == 1 and timeout is None and not runnable[0][2]._is_async:
        # One plain call: run it here, no thread to start. (An async handler always gets a
        # worker thread: asyncio.run would fail if the caller's thread runs an event loop.)
        i, call, tool = runnable[0]
        results[i] = _run_one(call, tool, events, step)
    elif runnable:
        workers = len(runnable) if max_workers is None else max(1, min(max_workers, len(runnable)))
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fctest-tool")
        try:
            started = time.perf_counter()
            futures = [
                (i, call, pool.submit(_run_one, call, tool, events, step))
                for i, call, tool in runnable
            ]
            deadline = None if timeout is None else started + timeout
            for i, call, future in futures:
                left = None if deadline is None else max(0.0, deadline - time.perf_counter())
                try:
                    results[i] = future.result(timeout=left)
                except FutureTimeout:
                    assert timeout is not None
                    future.cancel()
                    results[i] = _finish(call, started, events, step, exc=_timed_out(call, timeout))
        finally:
            pool.shutdown(wait=timeout is None, cancel_futures=True)
    return tuple(r for r in results if r is not None)


async def arun_turn(
    calls: Sequence[ToolCall],
    tools: Mapping[str, Tool],
    *,
    events: Events,
    step: int = 0,
    timeout: float | None = None,
) -> tuple[ToolResult, ...]:
    """Every call's result, in call order; the valid calls run at once under ``timeout`` each."""

    async def one(call: ToolCall, tool: Tool) -> ToolResult:
        started = time.perf_counter()
        task = asyncio.ensure_future(ainvoke(tool, call.arguments))
        if timeout is not None:
            # asyncio.wait, not wait_for: a handler's own TimeoutError must not pass for ours.
            done, _ = await asyncio.wait((task,), timeout=timeout)
            if not done:
                task.cancel()
                return _finish(call, started, events, step, exc=_timed_out(call, timeout))
        try:
            value = await task
        except Exception as exc:
            return _finish(call, started, events, step, exc=exc)
        return _finish(call, started, events, step, value)

    async def checked_error(result: ToolResult) -> ToolResult:
        return result

    jobs: list[Awaitable[ToolResult]] = []
    for call in calls:
        checked = check_call(call, tools)
        jobs.append(
            checked_error(checked) if isinstance(checked, ToolResult) else one(call, checked)
        )
    return tuple(await asyncio.gather(*jobs))


Complete = Callable[[Sequence[Message], ToolChoice | None], Response]
AsyncComplete = Callable[[Sequence[Message], ToolChoice | None], Awaitable[Response]]


def _check_steps(max_steps: int) -> None:
    if not isinstance(max_steps, int) or max_steps < 1:
        raise UsageError(f"max_steps must be a positive integer, got {max_steps!r}")


def run_loop(
    complete: Complete,
    messages: Sequence[Message],
    tools: Mapping[str, Tool],
    *,
    max_steps: int,
    tool_choice: ToolChoice | None,
    events: Events,
    tool_timeout: float | None = None,
    max_workers: int | None = None,
) -> RunResult:
    """The loop for the sync client. ``tool_choice`` applies to the first call only (then
    ``auto``), so a forced call cannot repeat forever."""
    _check_steps(max_steps)
    history = list(messages)
    responses: list[Response] = []
    choice = tool_choice
    for step in range(max_steps):
        response = complete(history, choice)
        choice = None if choice is None else "auto"
        responses.append(response)
        history.append(response.to_message())
        if not response.tool_calls:
            return RunResult(tuple(history), response, tuple(responses))
        results = run_turn(
            response.tool_calls,
            tools,
            events=events,
            step=step,
            timeout=tool_timeout,
            max_workers=max_workers,
        )
        history.append(Message.tool(*results))
    raise MaxStepsExceeded(max_steps, history)


async def arun_loop(
    complete: AsyncComplete,
    messages: Sequence[Message],
    tools: Mapping[str, Tool],
    *,
    max_steps: int,
    tool_choice: ToolChoice | None,
    events: Events,
    tool_timeout: float | None = None,
) -> RunResult:
    """The loop for the async client (see ``run_loop``)."""
    _check_steps(max_steps)
    history = list(messages)
    responses: list[Response] = []
    choice = tool_choice
    for step in range(max_steps):
        response = await complete(history, choice)
        choice = None if choice is None else "auto"
        responses.append(response)
        history.append(response.to_message())
        if not response.tool_calls:
            return RunResult(tuple(history), response, tuple(responses))
        results = await arun_turn(
            response.tool_calls, tools, events=events, step=step, timeout=tool_timeout
        )
        history.append(Message.tool(*results))
    raise MaxStepsExceeded(max_steps, history)
