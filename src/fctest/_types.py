"""JSON aliases and the closed sets (``Literal`` aliases) of the neutral model.

Only type aliases live here, so every other module can import them without cycles.
"""

from __future__ import annotations

from typing import Any, Literal, TypeAlias

__all__ = [
    "FinishReason",
    "JSONObject",
    "JSONValue",
    "Role",
    "ToolChoice",
    "ToolChoiceMode",
]

JSONValue: TypeAlias = bool | int | float | str | list[Any] | dict[str, Any] | None
"""Any value that ``json.loads`` can return."""

JSONObject: TypeAlias = dict[str, Any]
"""A JSON object: tool arguments, schemas, request and response bodies."""

Role: TypeAlias = Literal["system", "user", "assistant", "tool"]

FinishReason: TypeAlias = Literal[
    "stop", "tool_calls", "length", "content_filter", "malformed_call", "other"
]
"""Why the model stopped, in neutral terms; the provider's own value is kept beside it."""

ToolChoiceMode: TypeAlias = Literal["auto", "none", "required"]

ToolChoice: TypeAlias = str
"""``"auto"``, ``"none"``, ``"required"``, or the name of one tool that must be called."""
