"""Stream events: what a stream decoder hands out while bytes arrive, and what a streamed run
adds (``ToolResultEvent``).

``index`` is the neutral position of a call in the response (0, 1, ...), whatever key the
provider used to join its fragments (OpenAI ``index``, Anthropic block index, Responses item id).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from ._messages import ToolCall, ToolResult, Usage
from ._types import FinishReason

__all__ = [
    "Finished",
    "StreamEvent",
    "TextDelta",
    "ToolCallDelta",
    "ToolCallFinished",
    "ToolCallStarted",
    "ToolResultEvent",
]


@dataclass(frozen=True, slots=True)
class TextDelta:
    text: str


@dataclass(frozen=True, slots=True)
class ToolCallStarted:
    index: int
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class ToolCallDelta:
    """A fragment of a call's argument text, exactly as the provider sent it."""

    index: int
    arguments: str


@dataclass(frozen=True, slots=True)
class ToolCallFinished:
    """The call is complete; ``call.arguments`` is parsed."""

    index: int
    call: ToolCall


@dataclass(frozen=True, slots=True)
class Finished:
    finish_reason: FinishReason
    raw_finish_reason: str | None
    usage: Usage | None


StreamEvent: TypeAlias = TextDelta | ToolCallStarted | ToolCallDelta | ToolCallFinished | Finished


@dataclass(frozen=True, slots=True)
class ToolResultEvent:
    """One call of a streamed run's step is settled (``stream_run``), in the order calls finish:
    refused calls first, then each executed call as its executor returns."""

    step: int
    result: ToolResult
