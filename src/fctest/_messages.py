"""The neutral values every adapter translates to and from.

Frozen, slotted dataclasses: cheap to build (parsing speed is part of the product) and safe to
share between threads in the tool loop. Checks that hold for *every* provider (roles, answered
tool calls, tool_choice naming a declared tool) run here, once, before an adapter is involved.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, get_args

from ._exceptions import UsageError
from ._tools import Tool, check_unique_names
from ._types import FinishReason, JSONObject, JSONValue, Role, ToolChoice, ToolChoiceMode

__all__ = [
    "Message",
    "OutputSchema",
    "ProviderPart",
    "Request",
    "Response",
    "ToolCall",
    "ToolResult",
    "Usage",
]

_ROLES = frozenset(get_args(Role))
_TOOL_CHOICE_MODES = frozenset(get_args(ToolChoiceMode))


@dataclass(frozen=True, slots=True)
class ProviderPart:
    """Provider data that must be sent back untouched (thinking blocks, reasoning items,
    thought signatures). Only the adapter named ``provider`` reads it; others skip it."""

    provider: str
    data: JSONObject


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A call the model asked for.

    ``arguments`` is always a dict. ``raw_arguments`` keeps the provider's text when it sent the
    arguments as a JSON string; ``malformed`` is true when that text was not a JSON object (the
    text is kept and ``arguments`` is empty) so nothing the model said is lost.
    """

    id: str
    name: str
    arguments: JSONObject = field(default_factory=dict)
    raw_arguments: str | None = None
    malformed: bool = False
    opaque: ProviderPart | None = None


@dataclass(frozen=True, slots=True)
class ToolResult:
    """The answer to one tool call. ``content`` is text or any JSON value."""

    call_id: str
    name: str
    content: JSONValue = ""
    is_error: bool = False


@dataclass(frozen=True, slots=True)
class Message:
    """One turn of a conversation.

    ``system``/``user`` hold text; ``assistant`` holds text and/or tool calls; ``tool`` holds the
    results of one assistant turn's calls. Build them with the class methods.
    """

    role: Role
    text: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    tool_results: tuple[ToolResult, ...] = ()
    opaque: tuple[ProviderPart, ...] = ()

    def __post_init__(self) -> None:
        if self.role not in _ROLES:
            raise UsageError(f"message role must be one of {sorted(_ROLES)}, got {self.role!r}")
        self._coerce_parts()
        self._check_parts_fit_the_role()

    def _coerce_parts(self) -> None:
        """Tuples for every part list; a dict in place of a ToolCall refused here, naming it
        (it would otherwise fail later as an AttributeError deep inside an adapter)."""
        for name in ("tool_calls", "tool_results", "opaque"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))
        for name, kind in (("tool_calls", ToolCall), ("tool_results", ToolResult)):
            for i, part in enumerate(getattr(self, name)):
                if not isinstance(part, kind):
                    raise UsageError(
                        f"{name}[{i}] is {type(part).__name__}, expected fctest.{kind.__name__}"
                    )

    def _check_parts_fit_the_role(self) -> None:
        if self.tool_calls and self.role != "assistant":
            raise UsageError(f"only assistant messages carry tool calls, not {self.role!r}")
        if self.role == "tool":
            if not self.tool_results:
                raise UsageError("a tool message needs at least one ToolResult")
            if self.text is not None:
                raise UsageError("a tool message carries results, not text")
        elif self.tool_results:
            raise UsageError(f"tool results go in a 'tool' message, not {self.role!r}")
        if self.role in ("system", "user") and not isinstance(self.text, str):
            raise UsageError(f"a {self.role} message needs text")

    @classmethod
    def system(cls, text: str) -> Message:
        return cls("system", text)

    @classmethod
    def user(cls, text: str) -> Message:
        return cls("user", text)

    @classmethod
    def assistant(
        cls,
        text: str | None = None,
        tool_calls: Iterable[ToolCall] = (),
        *,
        opaque: Iterable[ProviderPart] = (),
    ) -> Message:
        return cls("assistant", text, tuple(tool_calls), opaque=tuple(opaque))

    @classmethod
    def tool(cls, *results: ToolResult) -> Message:
        return cls("tool", tool_results=results)


@dataclass(frozen=True, slots=True)
class OutputSchema:
    """A JSON Schema the final answer must follow (structured output)."""

    name: str
    schema: JSONObject
    strict: bool = True
    description: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.schema, dict) or self.schema.get("type") != "object":
            raise UsageError(f"output schema {self.name!r} must describe an object (type 'object')")

    @classmethod
    def from_model(cls, model: type[Any], *, strict: bool = True) -> OutputSchema:
        """From a pydantic model class: its name, JSON Schema and docstring."""
        schema = model.model_json_schema()
        return cls(
            name=model.__name__,
            schema=schema,
            strict=strict,
            description=schema.get("description", ""),
        )


def _check_history(messages: Sequence[Message]) -> None:
    """Every tool call answered exactly once, and no result without its call.

    The providers reject the other cases: OpenAI "must be followed by tool messages responding
    to each 'tool_call_id'" (docs/dialects.md#history-openai), Anthropic "tool_use ids were found
    without tool_result blocks" (docs/dialects.md#history-anthropic-placement), Gemini "number of
    function response parts" (docs/dialects.md#history-gemini-count), Responses "No tool call
    found for function call output" (docs/dialects.md#ids-responses-two).
    """
    pending: dict[str, ToolCall] = {}
    for i, m in enumerate(messages):
        if m.role == "tool":
            for r in m.tool_results:
                if r.call_id not in pending:
                    raise UsageError(
                        f"messages[{i}]: result for unknown or already answered call id "
                        f"{r.call_id!r} (tool {r.name!r})"
                    )
                del pending[r.call_id]
            continue
        if pending:
            raise UsageError(
                f"messages[{i}]: tool calls {sorted(pending)} were not answered before this "
                f"{m.role} message; every call needs a ToolResult"
            )
        for c in m.tool_calls:
            if c.id in pending:
                raise UsageError(f"messages[{i}]: two tool calls share the id {c.id!r}")
            pending[c.id] = c
    if pending and messages[-1].role == "tool":
        raise UsageError(f"tool calls {sorted(pending)} were not answered")


@dataclass(frozen=True, slots=True)
class Request:
    """Everything a model call needs, in neutral terms.

    ``tool_choice``: ``None`` leaves the provider's default; otherwise ``"auto"``, ``"none"``,
    ``"required"`` or a declared tool's name. ``parallel_tool_calls``: ``None`` sends nothing.
    ``extra_body`` is merged into the provider's JSON body last, for fields fctest does not model.
    ``_memo`` keeps what is worked out once per request (``fctest.dialect.fit_request``'s
    fittings); it is not part of the value.
    """

    model: str
    messages: tuple[Message, ...]
    tools: tuple[Tool, ...] = ()
    tool_choice: ToolChoice | None = None
    parallel_tool_calls: bool | None = None
    temperature: float | None = None
    max_output_tokens: int | None = None
    output: OutputSchema | None = None
    stream: bool = False
    thinking_budget: int | None = None
    extra_body: JSONObject | None = None
    _memo: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.messages, tuple):
            object.__setattr__(self, "messages", tuple(self.messages))
        object.__setattr__(self, "tools", check_unique_names(self.tools))
        if not self.messages:
            raise UsageError("a request needs at least one message")
        for i, m in enumerate(self.messages):
            if not isinstance(m, Message):
                raise UsageError(f"messages[{i}] is {type(m).__name__}, expected fctest.Message")
        _check_history(self.messages)
        choice = self.tool_choice
        if choice is not None and choice not in _TOOL_CHOICE_MODES:
            names = [t.name for t in self.tools]
            if choice not in names:
                raise UsageError(
                    f"tool_choice {choice!r} is neither auto/none/required nor a declared tool "
                    f"(tools: {names})"
                )
        if choice == "required" and not self.tools:
            raise UsageError("tool_choice 'required' needs at least one tool")

    @property
    def tool_choice_mode(self) -> ToolChoiceMode | None:
        """``tool_choice`` without the tool name: ``"required"`` for a named tool."""
        if self.tool_choice is None or self.tool_choice in _TOOL_CHOICE_MODES:
            return self.tool_choice  # type: ignore[return-value]
        return "required"

    @property
    def forced_tool(self) -> str | None:
        """The tool's name when ``tool_choice`` names one."""
        c = self.tool_choice
        return None if c is None or c in _TOOL_CHOICE_MODES else c


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts as the provider reported them (``None`` where it did not)."""

    input_tokens: int | None = None
    output_tokens: int | None = None

    @property
    def total_tokens(self) -> int | None:
        if self.input_tokens is None or self.output_tokens is None:
            return None
        return self.input_tokens + self.output_tokens


@dataclass(frozen=True, slots=True)
class Response:
    """A model's answer in neutral terms; ``raw_finish_reason`` keeps the provider's value."""

    provider: str
    model: str
    text: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    finish_reason: FinishReason = "stop"
    raw_finish_reason: str | None = None
    usage: Usage | None = None
    id: str | None = None
    opaque: tuple[ProviderPart, ...] = ()

    def to_message(self) -> Message:
        """This answer as the assistant turn to put in the conversation history."""
        return Message("assistant", self.text, self.tool_calls, opaque=self.opaque)
