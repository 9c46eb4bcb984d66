"""Tools from code: a function's signature or a pydantic model -> an arguments schema and a binder.

pydantic does all the type -> JSON Schema work (one model is built from a signature, once per
function, and reused for every call); ``docstring_parser`` reads the docstring (Google, NumPy
or reST) for the tool description and per-parameter descriptions. ``fctest._tools`` imports this
module lazily, so ``import fctest`` does not pay for pydantic. Nothing here knows about
providers: fitting a schema to a dialect is the adapters' job.
"""

from __future__ import annotations

import inspect
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, get_args, get_origin

import docstring_parser
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, create_model
from pydantic.errors import PydanticUndefinedAnnotation, PydanticUserError
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaWarningKind

from ._exceptions import ToolArgumentsError, UsageError
from ._pointer import json_pointer
from ._types import JSONObject

__all__ = [
    "Derived",
    "FunctionBinder",
    "ModelBinder",
    "describe_function",
    "describe_model",
    "snake_case",
]

_RECEIVERS = ("self", "cls")
# What pydantic raises for a type it cannot validate or describe.
_PYDANTIC_DEFINITION_ERRORS = (PydanticUserError, PydanticUndefinedAnnotation)
_POSITIONAL_ONLY = inspect.Parameter.POSITIONAL_ONLY


class _ToolJsonSchema(GenerateJsonSchema):
    """pydantic's generator without the titles it makes up from field names.

    ``"title": "City"`` next to property ``city`` only costs tokens. A title the user wrote
    (``Field(title=...)``) reaches the schema through the field's own metadata before this hook
    is asked, so it is kept.
    """

    # A default that is not JSON (a sentinel such as ``_UNSET = object()``) still makes the
    # parameter optional; the schema just shows no ``default``, which is all pydantic's
    # warning would say.
    ignored_warning_kinds: set[JsonSchemaWarningKind] = {  # noqa: RUF012 - pydantic's hook
        "skipped-choice",
        "non-serializable-default",
    }

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


@dataclass(frozen=True, slots=True)
class Derived:
    """What a function or model gives a tool: name, description, schema and argument binder."""

    name: str
    description: str
    parameters: JSONObject
    binder: FunctionBinder | ModelBinder


class FunctionBinder:
    """Turns validated JSON arguments into the handler's declared types, as ``(args, kwargs)``.

    Only the arguments the caller sent are passed, so the function's own default objects are
    used for the rest (pydantic would hand over a copy, which breaks sentinel defaults).
    """

    __slots__ = ("_fields", "_model", "receiver")

    def __init__(
        self,
        model: type[BaseModel],
        fields: tuple[tuple[str, inspect.Parameter], ...],
        receiver: str | None,
    ) -> None:
        self._model = model
        self._fields = fields
        self.receiver = receiver

    def bind(self, tool: str, arguments: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
        try:
            validated = self._model.model_validate(arguments)
        except ValidationError as exc:
            raise _arguments_error(tool, exc) from None
        values = validated.__dict__
        sent = validated.model_fields_set
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        for key, param in self._fields:
            if param.kind is _POSITIONAL_ONLY:
                args.append(values[key] if key in sent else param.default)
            elif key in sent:
                kwargs[param.name] = values[key]
        return tuple(args), kwargs


class ModelBinder:
    """Validates JSON arguments into one instance of the model: the handler's only argument."""

    __slots__ = ("_model", "receiver")

    def __init__(self, model: type[BaseModel]) -> None:
        self._model = model
        self.receiver: str | None = None

    def bind(self, tool: str, arguments: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
        try:
            return (self._model.model_validate(arguments),), {}
        except ValidationError as exc:
            raise _arguments_error(tool, exc) from None


def _arguments_error(tool: str, exc: ValidationError) -> ToolArgumentsError:
    # pydantic's ``loc`` uses the wire names (aliases), so it reads as a pointer into the
    # arguments. Reached only when the JSON Schema accepted the arguments and a validator
    # pydantic alone knows (a custom ``field_validator``) did not.
    errors = sorted({(json_pointer(e["loc"]), e["msg"]) for e in exc.errors()})
    return ToolArgumentsError(tool, errors)


def snake_case(name: str) -> str:
    """``GetWeather`` -> ``get_weather``; ``HTTPRequest`` -> ``http_request``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def _parse_docstring(obj: Any) -> tuple[str, dict[str, str]]:
    """The description and ``{parameter: description}`` from ``obj``'s docstring, any style."""
    # Not inspect.getdoc: it falls back to a base class's docstring, and a model without one
    # would be described by pydantic's own BaseModel docstring.
    raw = getattr(obj, "__doc__", None)
    if not isinstance(raw, str) or not raw.strip():
        return "", {}
    doc = inspect.cleandoc(raw)
    try:
        parsed = docstring_parser.parse(doc)
    except docstring_parser.ParseError:
        # A docstring that looks like a style but breaks its rules: all of it describes the tool.
        return doc.strip(), {}
    params = {p.arg_name: p.description.strip() for p in parsed.params if p.description}
    return (parsed.description or "").strip(), params


def _clean(schema: JSONObject, *, keep_root_title: bool) -> JSONObject:
    """Drop the titles pydantic made up for the root and for ``$defs`` entries.

    pydantic titles a class schema with the class name unless ``model_config`` sets one; in
    ``$defs`` that name is already the key, so a title equal to its key carries nothing and is
    dropped, while a title the user configured (different from the class name) is kept.
    """
    if not keep_root_title:
        schema.pop("title", None)
    defs = schema.get("$defs")
    if isinstance(defs, dict):
        for key, definition in defs.items():
            if isinstance(definition, dict) and definition.get("title") == key:
                del definition["title"]
    return schema


def _callable_name(fn: Callable[..., Any]) -> str | None:
    name = getattr(fn, "__name__", None)
    return name if isinstance(name, str) and name.isidentifier() else None


def _describe(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__qualname__", None) or repr(fn)


def _locate_bad_annotation(params: dict[str, inspect.Parameter]) -> str | None:
    """The first parameter whose annotation pydantic cannot turn into JSON Schema."""
    for param in params.values():
        annotation = Any if param.annotation is inspect.Parameter.empty else param.annotation
        try:
            with warnings.catch_warnings():
                # Out of a model, a Field(alias=...) in Annotated warns; only errors matter here.
                warnings.simplefilter("ignore")
                TypeAdapter(annotation).json_schema(schema_generator=_ToolJsonSchema)
        except _PYDANTIC_DEFINITION_ERRORS:
            return param.name
    return None


def describe_function(fn: Callable[..., Any], *, name: str | None = None) -> Derived:
    """The tool a function describes (``UsageError`` when its signature cannot be one)."""
    tool_name = name if name is not None else _callable_name(fn)
    if tool_name is None:
        raise UsageError(f"cannot name a tool after {fn!r}: pass name=")
    where = f"tool {tool_name!r} ({_describe(fn)})"
    try:
        # eval_str resolves string annotations (``from __future__ import annotations``).
        signature = inspect.signature(fn, eval_str=True)
    except (NameError, SyntaxError, TypeError, ValueError) as exc:
        raise UsageError(
            f"{where}: cannot read the signature: {exc}; "
            "types used in annotations must be importable from the function's module"
        ) from None

    description, param_docs = _parse_docstring(fn)
    params = list(signature.parameters.values())
    receiver: str | None = None
    if (
        inspect.isfunction(fn)
        and params
        and params[0].name in _RECEIVERS
        and params[0].kind is not inspect.Parameter.KEYWORD_ONLY
    ):
        # An unbound method: the tool is bound to its instance (or class) when looked up.
        receiver = params.pop(0).name

    fields: dict[str, tuple[Any, Any]] = {}
    by_key: dict[str, inspect.Parameter] = {}
    for index, param in enumerate(params):
        if param.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            star = "*" if param.kind is inspect.Parameter.VAR_POSITIONAL else "**"
            raise UsageError(
                f"{where}: parameter {star}{param.name} cannot be described by a JSON Schema "
                "object; declare every argument as a named parameter"
            )
        # Fields are named p0, p1, ... and carry the parameter name as alias: a parameter may
        # be called ``json``, ``schema`` or ``model_id``, which pydantic reserves or warns about.
        key = f"p{index}"
        annotation = Any if param.annotation is inspect.Parameter.empty else param.annotation
        ours = Field(alias=param.name, description=param_docs.get(param.name))
        # Ours goes first so that whatever the user wrote in Annotated[...] or as a
        # ``= Field(...)`` default (an alias, a description) takes precedence.
        if get_origin(annotation) is Annotated:
            base, *metadata = get_args(annotation)
            annotated: Any = Annotated[base, ours]
            for extra in metadata:  # Annotated flattens: base, ours, then the user's, in order
                annotated = Annotated[annotated, extra]
        else:
            annotated = Annotated[annotation, ours]
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[key] = (annotated, default)
        by_key[key] = param

    try:
        model: type[BaseModel] = create_model(
            tool_name,
            # An argument the function does not take is an error, and the schema says so
            # (additionalProperties: false). pydantic applies this config to TypedDicts and
            # stdlib dataclasses that have none of their own, so those are closed too.
            __config__=ConfigDict(extra="forbid"),
            __module__=getattr(fn, "__module__", None) or __name__,
            **fields,  # type: ignore[call-overload]
        )
        schema = model.model_json_schema(schema_generator=_ToolJsonSchema)
    except _PYDANTIC_DEFINITION_ERRORS as exc:
        bad = _locate_bad_annotation(by_key)
        at = f" parameter {bad!r}" if bad else ""
        raise UsageError(f"{where}:{at} has no JSON Schema: {exc.message}") from None

    binder = FunctionBinder(model, tuple(by_key.items()), receiver)
    return Derived(tool_name, description, _clean(schema, keep_root_title=False), binder)


def describe_model(model: Any, *, name: str | None = None) -> Derived:
    """The tool a pydantic model describes: its fields are the arguments."""
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise UsageError(f"Tool.from_model needs a pydantic BaseModel subclass, got {model!r}")
    tool_name = name if name is not None else snake_case(model.__name__)
    try:
        schema = model.model_json_schema(schema_generator=_ToolJsonSchema)
    except _PYDANTIC_DEFINITION_ERRORS as exc:
        raise UsageError(
            f"tool {tool_name!r} ({model.__qualname__}): has no JSON Schema: {exc.message}"
        ) from None
    description, field_docs = _parse_docstring(model)
    # The model's docstring becomes the tool description; repeating it inside the schema
    # would send it twice.
    schema.pop("description", None)
    # ``Attributes:`` in the class docstring describe fields that have no description yet.
    properties = schema.get("properties")
    if isinstance(properties, dict):
        for field_name, text in field_docs.items():
            prop = properties.get(field_name)
            if isinstance(prop, dict):
                prop.setdefault("description", text)
    keep_title = model.model_config.get("title") is not None
    return Derived(
        tool_name, description, _clean(schema, keep_root_title=keep_title), ModelBinder(model)
    )
