"""The tool loop's drivers: call the model, settle and run the calls it asked for, repeat.

``RunState`` (``fctest._run``) decides everything that needs no I/O; this module does the
calling, twice (sync and async) and once for both plain and streamed runs: a driver is a
generator of everything a streamed run shows (the step's stream events and ``Response``, a
``ToolResultEvent`` per call as it finishes, then the ``RunResult``), and a plain run is that
generator drained.

Admitted calls run at once: a thread pool for the sync client, tasks for the async one, each
under its timeout (a registry entry's own, else ``Limits.tool_timeout``, within what
``max_time`` leaves). Whatever a handler raises becomes an error result the model reads:
exceptions, and ``SystemExit`` and ``CancelledError`` too, which would otherwise end the run or
the event loop (only ``KeyboardInterrupt`` passes). Python cannot stop a thread, so a sync
handler past its timeout finishes in the background and its value is dropped. The results go
back in call order, in one tool message; each adapter then places them the way its provider
demands (docs/dialects.md#history-openai, docs/dialects.md#history-anthropic-placement).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import inspect
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor
from typing import Any, TypeAlias

from ._events import StreamEvent, ToolResultEvent
from ._exceptions import ToolArgumentsError, ToolExecutionError, UsageError
from ._guards import Admitted, Approver, Deny, Refused, check_decision
from ._messages import Response, ToolResult
from ._run import Offer, RunResult, RunState, Slot
from ._types import JSONValue

__all__ = ["RunItem", "arun", "astream_run", "run", "stream_run", "to_content"]

RunItem: TypeAlias = StreamEvent | Response | ToolResultEvent | RunResult
"""What ``stream_run`` yields."""

Step: TypeAlias = Callable[[Offer], Iterable[StreamEvent | Response]]
AsyncStep: TypeAlias = Callable[[Offer], AsyncIterator[StreamEvent | Response]]

# While a call waits for a worker thread its clock has not started; look again this often.
_POLL = 0.05


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


# --- one call -----------------------------------------------------------------------------
Outcome: TypeAlias = tuple[Any, BaseException | None, float]
"""What running a call gave: its value or what it raised, and how long it took."""


def _execute(slot: Admitted, clocks: dict[int, float], index: int) -> Outcome:
    started = clocks[index] = time.perf_counter()
    try:
        value = slot.entry.executor.execute(slot.call, slot.entry.tool)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # SystemExit, CancelledError: contained, reported
        return None, exc, time.perf_counter() - started
    return value, None, time.perf_counter() - started


async def _aexecute(slot: Admitted) -> Outcome:
    started = time.perf_counter()
    try:
        value = await slot.entry.executor.aexecute(slot.call, slot.entry.tool)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # a Task re-raises SystemExit out of the event loop
        return None, exc, time.perf_counter() - started
    return value, None, time.perf_counter() - started


def _settle(state: RunState, index: int, slot: Admitted, outcome: Outcome) -> ToolResult:
    value, exc, duration = outcome
    call = slot.call
    if exc is None:
        try:
            result = ToolResult(call.id, call.name, to_content(value))
        except Exception as err:  # an odd return value must not end the loop
            exc = err
        else:
            return state.ran(index, slot, result, "ok", duration=duration)
    text = _describe(exc)
    result = ToolResult(call.id, call.name, text, is_error=True)
    return state.ran(index, slot, result, "error", duration=duration, error=text)


def _timed_out(state: RunState, index: int, slot: Admitted, timeout: float) -> ToolResult:
    text = f"tool {slot.call.name!r} failed: no result within {timeout:g} s"
    result = ToolResult(slot.call.id, slot.call.name, text, is_error=True)
    return state.ran(index, slot, result, "timeout", duration=timeout, error=text)


def _refused(state: RunState, slots: Sequence[Slot]) -> Iterator[ToolResult]:
    for i, slot in enumerate(slots):
        if isinstance(slot, Refused):
            yield state.ran(i, slot, slot.result, slot.outcome)


# --- approval -----------------------------------------------------------------------------
def _run_coroutine(awaitable: Awaitable[Any]) -> Any:
    """Await in sync code, in a thread of its own if this one already runs an event loop."""

    async def wait() -> Any:
        return await awaitable

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(wait())
    with ThreadPoolExecutor(1, thread_name_prefix="fctest-approve") as pool:
        return pool.submit(asyncio.run, wait()).result()


def _unapproved(state: RunState, slot: Admitted) -> Slot:
    reason = f"tool {slot.call.name!r} has side effects and this run has no approve= hook"
    return state.decided(slot, Deny(reason))


def _approve(state: RunState, slots: list[Slot], approve: Approver | None) -> list[Slot]:
    out: list[Slot] = []
    for slot in slots:
        if isinstance(slot, Admitted) and slot.needs_approval:
            if approve is None:
                slot = _unapproved(state, slot)
            else:
                try:
                    value = approve(slot.call)
                    if inspect.isawaitable(value):
                        value = _run_coroutine(value)
                except Exception as exc:
                    slot = state.decided(slot, exc)
                else:
                    slot = state.decided(slot, check_decision(value, slot.call))
        out.append(slot)
    return out


async def _aapprove(state: RunState, slots: list[Slot], approve: Approver | None) -> list[Slot]:
    out: list[Slot] = []
    for slot in slots:
        if isinstance(slot, Admitted) and slot.needs_approval:
            if approve is None:
                slot = _unapproved(state, slot)
            else:
                try:
                    # A sync hook may block (a prompt, a ticket): keep it off the event loop.
                    if inspect.iscoroutinefunction(approve):
                        value = await approve(slot.call)
                    else:
                        value = await asyncio.to_thread(approve, slot.call)
                    if inspect.isawaitable(value):
                        value = await value
                except Exception as exc:
                    slot = state.decided(slot, exc)
                else:
                    slot = state.decided(slot, check_decision(value, slot.call))
        out.append(slot)
    return out


# --- one turn -----------------------------------------------------------------------------
def _turn(state: RunState, slots: Sequence[Slot], max_workers: int | None) -> Iterator[ToolResult]:
    """Each call's result as it is settled: refusals, then executed calls as they finish."""
    yield from _refused(state, slots)
    jobs = [(i, s) for i, s in enumerate(slots) if isinstance(s, Admitted)]
    if not jobs:
        return
    clocks: dict[int, float] = {}
    if len(jobs) == 1 and state.timeout(jobs[0][1]) is None:
        i, slot = jobs[0]  # one call and no timeout: no thread to start
        yield _settle(state, i, slot, _execute(slot, clocks, i))
        return
    workers = len(jobs) if max_workers is None else max(1, min(max_workers, len(jobs)))
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fctest-tool")
    try:
        pending: dict[Future[Outcome], tuple[int, Admitted, float | None]] = {
            pool.submit(_execute, slot, clocks, i): (i, slot, state.timeout(slot))
            for i, slot in jobs
        }
        while pending:
            wait = _next_wakeup(pending.values(), clocks)
            done, _ = concurrent.futures.wait(pending, timeout=wait, return_when=FIRST_COMPLETED)
            for future in done:
                i, slot, _timeout = pending.pop(future)
                yield _settle(state, i, slot, future.result())
            now = time.perf_counter()
            for future, (i, slot, timeout) in list(pending.items()):
                if timeout is not None and i in clocks and now - clocks[i] >= timeout:
                    del pending[future]
                    future.cancel()
                    yield _timed_out(state, i, slot, timeout)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _next_wakeup(
    jobs: Iterable[tuple[int, Admitted, float | None]], clocks: dict[int, float]
) -> float | None:
    now = time.perf_counter()
    wakeup: float | None = None
    for i, _slot, timeout in jobs:
        if timeout is None:
            continue
        left = _POLL if i not in clocks else max(0.0, clocks[i] + timeout - now)
        wakeup = left if wakeup is None else min(wakeup, left)
    return wakeup


async def _aturn(state: RunState, slots: Sequence[Slot]) -> AsyncIterator[ToolResult]:
    """``_turn`` for the async client: every admitted call is a task of its own."""
    for result in _refused(state, slots):
        yield result
    started = time.perf_counter()
    pending: dict[asyncio.Future[Outcome], tuple[int, Admitted, float | None]] = {
        asyncio.ensure_future(_aexecute(slot)): (i, slot, state.timeout(slot))
        for i, slot in enumerate(slots)
        if isinstance(slot, Admitted)
    }
    try:
        while pending:
            limits = [t for _i, _s, t in pending.values() if t is not None]
            wait = None if not limits else max(0.0, started + min(limits) - time.perf_counter())
            # asyncio.wait, not wait_for: it never cancels what it waits for, and a handler's
            # own TimeoutError is not taken for the timeout.
            done, _ = await asyncio.wait(pending, timeout=wait, return_when=FIRST_COMPLETED)
            for task in done:
                i, slot, _timeout = pending.pop(task)
                yield _settle(state, i, slot, task.result())
            now = time.perf_counter()
            for task, (i, slot, timeout) in list(pending.items()):
                if timeout is not None and now - started >= timeout:
                    del pending[task]
                    task.cancel()
                    yield _timed_out(state, i, slot, timeout)
    finally:
        for task in pending:
            task.cancel()


# --- the loop -----------------------------------------------------------------------------
def stream_run(
    state: RunState, step: Step, approve: Approver | None, max_workers: int | None = None
) -> Iterator[RunItem]:
    """The sync loop, as everything a streamed run shows."""
    try:
        while True:
            offer = state.offer()
            response = None
            for item in step(offer):
                if isinstance(item, Response):
                    response = item
                yield item
            if response is None:
                raise UsageError("the model call of a step gave no Response")
            slots = state.answered(response)
            if slots is None:
                yield state.result()
                return
            for result in _turn(state, _approve(state, slots, approve), max_workers):
                yield ToolResultEvent(offer.step, result)
            state.turn_done()
    except GeneratorExit:
        state.finished("abandoned")
        raise
    except BaseException as exc:
        state.finished("error", exc)
        raise


def run(
    state: RunState, step: Step, approve: Approver | None, max_workers: int | None = None
) -> RunResult:
    """The sync loop to its end: the ``RunResult``."""
    last: RunItem | None = None
    for last in stream_run(state, step, approve, max_workers):  # noqa: B007
        pass
    assert isinstance(last, RunResult)
    return last


async def astream_run(
    state: RunState, step: AsyncStep, approve: Approver | None
) -> AsyncIterator[RunItem]:
    """The async loop, as everything a streamed run shows."""
    try:
        while True:
            offer = state.offer()
            response = None
            async for item in step(offer):
                if isinstance(item, Response):
                    response = item
                yield item
            if response is None:
                raise UsageError("the model call of a step gave no Response")
            slots = state.answered(response)
            if slots is None:
                yield state.result()
                return
            async for result in _aturn(state, await _aapprove(state, slots, approve)):
                yield ToolResultEvent(offer.step, result)
            state.turn_done()
    except GeneratorExit:
        state.finished("abandoned")
        raise
    except BaseException as exc:
        state.finished("error", exc)
        raise


async def arun(state: RunState, step: AsyncStep, approve: Approver | None) -> RunResult:
    """The async loop to its end: the ``RunResult``."""
    last: RunItem | None = None
    async for last in astream_run(state, step, approve):  # noqa: B007
        pass
    assert isinstance(last, RunResult)
    return last
