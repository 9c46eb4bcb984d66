"""Tools: a name, a description and a JSON Schema for the arguments, plus an optional handler.

A tool is checked once, when it is defined (valid JSON Schema, object root, a name); its
validator is built then and reused for every call. Nothing here knows about providers: fitting a
schema to a provider's dialect is the adapters' job (``fctest._schema``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError
from jsonschema.validators import Draft202012Validator, validator_for

from ._exceptions import ToolArgumentsError, UsageError
from ._types import JSONObject

__all__ = ["Tool", "check_unique_names", "json_pointer"]

EMPTY_OBJECT_SCHEMA: JSONObject = {"type": "object", "properties": {}}


def json_pointer(path: Iterable[Any]) -> str:
    """RFC 6901 pointer for a path of keys and indexes (``""`` is the whole document)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def _make_validator(name: str, schema: JSONObject) -> jsonschema.protocols.Validator:
    if not isinstance(schema, dict):
        raise UsageError(
            f"tool {name!r}: parameters must be a JSON Schema object (a dict), "
            f"got {type(schema).__name__}"
        )
    cls = validator_for(schema, default=Draft202012Validator)
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        pointer = json_pointer(exc.absolute_path)
        raise UsageError(
            f"tool {name!r}: parameters is not valid JSON Schema at {pointer or '/'}: {exc.message}"
        ) from None
    root_type = schema.get("type")
    if root_type != "object":
        found = "no 'type'" if root_type is None else f"type {root_type!r}"
        raise UsageError(
            f"tool {name!r}: parameters must describe an object (type 'object'), found {found}; "
            "wrap single values in an object with one property"
        )
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@dataclass(frozen=True, slots=True)
class Tool:
    """A tool the model may call.

    ``parameters`` is the JSON Schema of the arguments (an object schema); treat it as read-only.
    ``strict`` asks for constrained decoding where the provider offers it (``None``: the
    adapter's default, always sent explicitly). ``handler`` runs the tool in the tool loop.
    """

    name: str
    description: str = ""
    parameters: JSONObject = field(default_factory=lambda: dict(EMPTY_OBJECT_SCHEMA))
    strict: bool | None = None
    handler: Callable[..., Any] | None = field(default=None, compare=False, repr=False)
    _validator: Any = field(default=None, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise UsageError(f"a tool needs a non-empty string name, got {self.name!r}")
        if not isinstance(self.description, str):
            raise UsageError(f"tool {self.name!r}: description must be a string")
        object.__setattr__(self, "_validator", _make_validator(self.name, self.parameters))

    def argument_errors(self, arguments: Any) -> list[tuple[str, str]]:
        """Every ``(json_pointer, message)`` at which ``arguments`` fails the schema, sorted."""
        errors: Iterable[ValidationError] = self._validator.iter_errors(arguments)
        return sorted(
            {(json_pointer(e.absolute_path), e.message) for e in errors},
        )

    def validate_arguments(self, arguments: Any) -> None:
        """Raise ``ToolArgumentsError`` listing every failing JSON pointer, or return."""
        errors = self.argument_errors(arguments)
        if errors:
            raise ToolArgumentsError(self.name, errors)


def check_unique_names(tools: Iterable[Tool]) -> tuple[Tool, ...]:
    """The tools as a tuple, or ``UsageError`` naming a name that two of them share."""
    seen: dict[str, Tool] = {}
    for t in tools:
        if not isinstance(t, Tool):
            raise UsageError(f"expected fctest.Tool, got {type(t).__name__}: {t!r}")
        if t.name in seen:
            raise UsageError(
                f"two tools are named {t.name!r} "
                f"(descriptions {seen[t.name].description[:40]!r} and {t.description[:40]!r}); "
                "tool names must be unique in one request"
            )
        seen[t.name] = t
    return tuple(seen.values())
