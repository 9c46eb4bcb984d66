"""Tools: a name, a description and a JSON Schema for the arguments, plus an optional handler.

A tool is checked once, when it is defined (valid JSON Schema, object root, a name); its
validator is built then and reused for every call. ``Tool.from_function`` / ``@tool`` and
``Tool.from_model`` derive the schema from Python code (``fctest._signature``, imported only
when used, so ``import fctest`` does not import pydantic); ``invoke`` / ``ainvoke`` validate
arguments against the schema, convert them to the handler's declared types and run it.
Nothing here knows about providers: fitting a schema to a provider's dialect is the adapters'
job (``fctest._schema``).
"""

from __future__ import annotations

import copy
import inspect
import json
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, overload

from ._exceptions import ToolArgumentsError, ToolExecutionError, UsageError
from ._pointer import json_pointer
from ._types import JSONObject

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

    from ._signature import Derived

__all__ = ["ArgumentBinder", "Tool", "check_unique_names", "tool"]

EMPTY_OBJECT_SCHEMA: JSONObject = {"type": "object", "properties": {}}


def _make_validator(name: str, schema: JSONObject) -> Validator:
    # jsonschema is imported here, not at the top: the pytest plugin imports fctest in every
    # test run of every project that installs it, and jsonschema is half of that cost.
    import jsonschema
    from jsonschema.validators import Draft202012Validator, validator_for

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


def _key_of(tool: Tool) -> str:
    return json.dumps(
        [tool.name, tool.description, tool.parameters, tool.strict],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=repr,
    )


class ArgumentBinder(Protocol):
    """Turns arguments that passed the schema into the handler's ``(args, kwargs)``.

    ``receiver`` is ``"self"`` or ``"cls"`` when the handler is an unbound method whose first
    parameter the tool binds on attribute lookup, else ``None``.
    """

    @property
    def receiver(self) -> str | None: ...

    def bind(self, tool: str, arguments: Any) -> tuple[tuple[Any, ...], dict[str, Any]]: ...


def _is_async(handler: Callable[..., Any] | None) -> bool:
    if handler is None:
        return False
    if inspect.iscoroutinefunction(handler):
        return True
    # A callable object: what counts is its class's ``__call__``.
    return not inspect.isroutine(handler) and inspect.iscoroutinefunction(type(handler).__call__)


@dataclass(frozen=True, slots=True)
class Tool:
    """A tool the model may call.

    ``parameters`` is the JSON Schema of the arguments (an object schema); treat it as read-only.
    ``strict`` asks for constrained decoding where the provider offers it (``None``: the
    adapter's default, always sent explicitly). ``handler`` runs the tool in the tool loop:
    a tool built directly calls ``handler(**arguments)``; one built by ``from_function`` or
    ``from_model`` converts the arguments to the declared types first (the conversion belongs
    to the code it was derived from, and survives ``dataclasses.replace``).
    """

    name: str
    description: str = ""
    parameters: JSONObject = field(default_factory=lambda: dict(EMPTY_OBJECT_SCHEMA))
    strict: bool | None = None
    handler: Callable[..., Any] | None = field(default=None, compare=False, repr=False)
    side_effects: bool = field(default=False, kw_only=True)
    """The tool changes something outside the conversation (sends mail, moves money): the tool
    loop runs its calls only after the run's ``approve`` hook allowed them."""
    _binder: ArgumentBinder | None = field(default=None, compare=False, repr=False, kw_only=True)
    _validator: Any = field(default=None, init=False, compare=False, repr=False)
    _is_async: bool = field(default=False, init=False, compare=False, repr=False)
    _key: str = field(default="", init=False, compare=False, repr=False)
    """What the tool is, as one string (name, description, schema, strictness): fitting a tool
    to a provider is cached under it, so equal tools are fitted once however often they are
    built or sent."""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise UsageError(f"a tool needs a non-empty string name, got {self.name!r}")
        if not isinstance(self.description, str):
            raise UsageError(f"tool {self.name!r}: description must be a string")
        if self.handler is not None and not callable(self.handler):
            raise UsageError(f"tool {self.name!r}: handler must be callable, got {self.handler!r}")
        if not isinstance(self.side_effects, bool):
            raise UsageError(f"tool {self.name!r}: side_effects must be True or False")
        object.__setattr__(self, "_validator", _make_validator(self.name, self.parameters))
        object.__setattr__(self, "_is_async", _is_async(self.handler))
        object.__setattr__(self, "_key", _key_of(self))

    # --- tools from code ------------------------------------------------------------------
    @classmethod
    def from_function(
        cls,
        fn: Callable[..., Any],
        *,
        name: str | None = None,
        description: str | None = None,
        strict: bool | None = None,
        side_effects: bool = False,
    ) -> Tool:
        """The tool ``fn`` describes: schema from its type hints, descriptions from its docstring.

        Parameters with a default are optional (the default is shown as ``default``); the
        rest are required. ``*args``/``**kwargs`` cannot be described and raise ``UsageError``.
        A leading ``self``/``cls`` of a function defined in a class is left out and bound when
        the tool is looked up on an instance (or the class).
        """
        if isinstance(fn, Tool):
            raise UsageError(f"{fn.name!r} is already a Tool")
        if not callable(fn):
            raise UsageError(f"Tool.from_function needs a callable, got {fn!r}")
        from ._signature import describe_function

        derived = describe_function(fn, name=name)
        return cls._from_derived(derived, description, strict, fn, side_effects)

    @classmethod
    def from_model(
        cls,
        model: type[Any],
        *,
        name: str | None = None,
        description: str | None = None,
        strict: bool | None = None,
        handler: Callable[[Any], Any] | None = None,
        side_effects: bool = False,
    ) -> Tool:
        """The tool a pydantic model describes: its fields are the arguments.

        The name defaults to the class name in snake_case, the description to its docstring.
        ``handler``, if given, receives one validated instance of the model.
        """
        from ._signature import describe_model

        derived = describe_model(model, name=name)
        return cls._from_derived(derived, description, strict, handler, side_effects)

    @classmethod
    def _from_derived(
        cls,
        derived: Derived,
        description: str | None,
        strict: bool | None,
        handler: Callable[..., Any] | None,
        side_effects: bool,
    ) -> Tool:
        return cls(
            name=derived.name,
            description=derived.description if description is None else description,
            parameters=derived.parameters,
            strict=strict,
            handler=handler,
            side_effects=side_effects,
            _binder=derived.binder,
        )

    def __get__(self, instance: object, owner: type | None = None) -> Tool:
        # ``@tool`` on a method: looked up on an instance (or, for ``cls``, on the class) the
        # tool's handler is bound, as a method would be. Other tools are plain attributes.
        receiver = self._binder.receiver if self._binder is not None else None
        if receiver is None or self.handler is None or inspect.ismethod(self.handler):
            return self
        target = owner if receiver == "cls" else instance
        if target is None:
            return self
        bound = copy.copy(self)
        object.__setattr__(bound, "handler", types.MethodType(self.handler, target))
        return bound

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the handler directly, as the decorated function would be (no validation)."""
        return self._require_handler()(*args, **kwargs)

    # --- running the tool -----------------------------------------------------------------
    def _require_handler(self) -> Callable[..., Any]:
        handler = self.handler
        if handler is None:
            raise UsageError(f"tool {self.name!r} has no handler to run; pass handler=")
        if self._binder is not None and self._binder.receiver and not inspect.ismethod(handler):
            raise UsageError(
                f"tool {self.name!r} is a method (first parameter {self._binder.receiver!r}): "
                "use it through an instance of its class"
            )
        return handler

    def _bind(self, arguments: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
        if self._binder is None:
            return (), dict(arguments)
        return self._binder.bind(self.name, arguments)

    def invoke(self, arguments: JSONObject) -> Any:
        """Validate ``arguments``, convert them to the handler's types, run it, return its result.

        Raises ``ToolArgumentsError`` (every failing JSON pointer) for bad arguments,
        ``ToolExecutionError`` (the handler's exception chained) when the handler raises, and
        ``UsageError`` for an async handler (use ``ainvoke``) or a tool without a handler.
        """
        self.validate_arguments(arguments)
        return self.call_validated(arguments)

    async def ainvoke(self, arguments: JSONObject) -> Any:
        """``invoke`` for async code: async handlers are awaited, sync ones called directly."""
        self.validate_arguments(arguments)
        return await self.acall_validated(arguments)

    def call_validated(self, arguments: JSONObject) -> Any:
        """``invoke`` for arguments already checked against the schema (the tool loop checks
        every call before any handler runs, so it does not check twice)."""
        handler = self._require_handler()
        if self._is_async:
            raise UsageError(
                f"tool {self.name!r} has an async handler: use 'await tool.ainvoke(arguments)'"
            )
        args, kwargs = self._bind(arguments)
        try:
            result = handler(*args, **kwargs)
        except Exception as exc:
            raise ToolExecutionError(self.name, f"{type(exc).__name__}: {exc}") from exc
        if inspect.iscoroutine(result):
            # A sync callable that returned a coroutine: close it so it does not warn unawaited.
            result.close()
            raise UsageError(
                f"tool {self.name!r} returned a coroutine: use 'await tool.ainvoke(arguments)'"
            )
        return result

    async def acall_validated(self, arguments: JSONObject) -> Any:
        """``call_validated`` for async code."""
        handler = self._require_handler()
        args, kwargs = self._bind(arguments)
        try:
            result = handler(*args, **kwargs)
            if inspect.isawaitable(result):
                result = await result
        except Exception as exc:
            raise ToolExecutionError(self.name, f"{type(exc).__name__}: {exc}") from exc
        return result

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


@overload
def tool(fn: Callable[..., Any], /) -> Tool: ...


@overload
def tool(
    *,
    name: str | None = None,
    description: str | None = None,
    strict: bool | None = None,
    side_effects: bool = False,
) -> Callable[[Callable[..., Any]], Tool]: ...


def tool(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    strict: bool | None = None,
    side_effects: bool = False,
) -> Tool | Callable[[Callable[..., Any]], Tool]:
    """Make a function a ``Tool`` (see ``Tool.from_function``): ``@tool`` or ``@tool(name=...)``.

    The result stays callable like the function it replaces.
    """
    options: dict[str, Any] = {
        "name": name,
        "description": description,
        "strict": strict,
        "side_effects": side_effects,
    }
    if fn is not None:
        return Tool.from_function(fn, **options)

    def decorate(f: Callable[..., Any]) -> Tool:
        return Tool.from_function(f, **options)

    return decorate
