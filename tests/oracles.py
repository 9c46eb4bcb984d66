"""The official SDKs as oracles for what an adapter sends.

The SDKs' request parameter types are TypedDicts (openai-python 3.57.0
``types/chat/completion_create_params.py``, anthropic 2.15.0 ``types/message_create_params.py``).
``typeddict_problems``
validates a body with a pydantic ``TypeAdapter`` and, separately, lists every key the type does
not declare: TypedDict validation ignores unknown keys, and an unknown key is exactly the kind of
mistake (a field at the wrong level, a misspelt name) that the provider answers with a 400.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any, Union, get_args, get_origin

from pydantic import TypeAdapter, ValidationError
from typing_extensions import is_typeddict

__all__ = ["typeddict_problems"]

_WRAPPERS = {"Required", "NotRequired", "ReadOnly", "Annotated"}


@cache
def _adapter(tp: Any) -> TypeAdapter[Any]:
    return TypeAdapter(tp)


def _unwrap(tp: Any) -> Any:
    while True:
        origin = get_origin(tp)
        name = getattr(origin, "_name", None) or getattr(origin, "__name__", "")
        if origin is typing.Annotated or name in _WRAPPERS:
            tp = get_args(tp)[0]
        else:
            return tp


def _members(tp: Any) -> tuple[Any, ...]:
    tp = _unwrap(tp)
    origin = get_origin(tp)
    if origin is Union or origin is types.UnionType:
        out: tuple[Any, ...] = ()
        for arg in get_args(tp):
            out += _members(arg)
        return out
    return (tp,)


def _unknown_keys(value: Any, tp: Any, path: str) -> list[str]:
    """Keys in ``value`` that no matching TypedDict declares (best union member wins)."""
    best: list[str] | None = None
    for member in _members(tp):
        problems = _unknown_in_member(value, member, path)
        if problems is None:
            continue
        if not problems:
            return []
        if best is None or len(problems) < len(best):
            best = problems
    return best or []


def _unknown_in_member(value: Any, tp: Any, path: str) -> list[str] | None:
    """``None`` when ``tp`` cannot describe ``value`` at all (another union member may)."""
    origin = get_origin(tp)
    if is_typeddict(tp):
        if not isinstance(value, Mapping):
            return None
        hints = typing.get_type_hints(tp, include_extras=True)
        for k, hint in hints.items():  # a mismatched discriminator means "not this member"
            lit = _unwrap(hint)
            if get_origin(lit) is typing.Literal and k in value and value[k] not in get_args(lit):
                return None
        problems = [f"{path}/{k}: key not in {tp.__name__}" for k in value if k not in hints]
        for k, v in value.items():
            if k in hints:
                problems += _unknown_keys(v, hints[k], f"{path}/{k}")
        return problems
    if origin is typing.Literal:
        return [] if value in get_args(tp) else None
    if origin in (list, Iterable, typing.Sequence, tuple) or (
        isinstance(origin, type)
        and issubclass(origin, Iterable)
        and origin not in (dict, str)
        and not issubclass(origin, Mapping)
    ):
        if not isinstance(value, (list, tuple)):
            return None
        args = get_args(tp)
        item = args[0] if args else Any
        problems = []
        for i, v in enumerate(value):
            problems += _unknown_keys(v, item, f"{path}/{i}")
        return problems
    if origin in (dict, Mapping) or (isinstance(origin, type) and issubclass(origin, Mapping)):
        if not isinstance(value, Mapping):
            return None
        args = get_args(tp)
        item = args[1] if len(args) == 2 else Any
        problems = []
        for k, v in value.items():
            problems += _unknown_keys(v, item, f"{path}/{k}")
        return problems
    if tp is Any or tp is object:
        return []
    if isinstance(tp, type):
        return [] if isinstance(value, tp) or (tp is float and isinstance(value, int)) else None
    return []


def _consume(value: Any, path: str, problems: list[str]) -> None:
    """pydantic validates ``Iterable[...]`` lazily: iterate so every item is checked."""
    if isinstance(value, Mapping):
        for k, v in value.items():
            _consume(v, f"{path}/{k}", problems)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _consume(v, f"{path}/{i}", problems)
    elif type(value).__name__ == "ValidatorIterator":
        try:
            items = list(value)
        except ValidationError as exc:
            problems += _format(exc, path)
            return
        for i, v in enumerate(items):
            _consume(v, f"{path}/{i}", problems)


def _format(exc: ValidationError, prefix: str) -> list[str]:
    return [
        f"{prefix}/{'/'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
    ]


def typeddict_problems(value: Any, tp: Any) -> list[str]:
    """Every way ``value`` fails the SDK type ``tp``: validation errors and unknown keys."""
    problems: list[str] = []
    try:
        _consume(_adapter(tp).validate_python(value), "", problems)
    except ValidationError as exc:
        problems += _format(exc, "")
    problems += _unknown_keys(value, tp, "")
    return problems
