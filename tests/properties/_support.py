"""What the property tests share: the adapter variants, where each wire format keeps its tool
declarations and its history (data only: JSON paths), the official SDKs' request types, and
small schema helpers (the strict "wire form" of arguments, Gemini's OpenAPI form read back as
JSON Schema).

Every built-in adapter is covered with its default config, plus Gemini with
``GeminiConfig(schema_field="parameters")`` (the OpenAPI-subset dialect). A third-party adapter
registered through entry points gets the generic checks; the body-level ones need a row in
``FAMILIES`` and are skipped without it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from anthropic.types.message_create_params import (
    MessageCreateParamsNonStreaming,
    MessageCreateParamsStreaming,
)
from hypothesis import settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from openai.types.chat.completion_create_params import (
    CompletionCreateParamsNonStreaming,
    CompletionCreateParamsStreaming,
)
from openai.types.responses.response_create_params import (
    ResponseCreateParamsNonStreaming,
    ResponseCreateParamsStreaming,
)

from fctest import Message, Request, Tool, adapter_names, get_adapter
from fctest._pointer import json_pointer
from fctest.dialect import FittedTool, Profile, fit_tools, subschemas
from fctest.errors import UsageError
from fctest.providers import Adapter, Config
from fctest.providers.gemini import OPENAPI_PROFILE, GeminiConfig
from fctest.strategies import tools
from oracles import typeddict_problems
from providers.gemini._oracle import request_problems
from providers.ollama._oracle import request_problems as ollama_request_problems

MODEL = "model-under-test"
USER = Message.user("Use the tools.")

# --- where each wire format keeps things (data only) -------------------------------------------


@dataclass(frozen=True)
class Family:
    """One wire format: JSON paths ("*" = every item) to its declarations and history parts."""

    declarations: tuple[str | int, ...]
    name: tuple[str, ...]
    parameters: tuple[str, ...]
    calls: tuple[str | int, ...]
    call_id: tuple[str, ...]
    call_name: tuple[str, ...]
    call_arguments: tuple[str, ...]
    arguments_as_text: bool
    results: tuple[str | int, ...]
    result_id: tuple[str, ...]
    results_in_call_order: bool
    """Whether results go out in call order whatever order they were given (Anthropic:
    docs/dialects.md#history-anthropic-placement; Gemini: docs/dialects.md#history-gemini-count),
    rather than as given."""
    call_match: tuple[tuple[str, str], ...] = ()
    result_match: tuple[tuple[str, str], ...] = ()
    result_name: tuple[str, ...] | None = None


FAMILIES: dict[str, Family] = {
    "chat": Family(
        declarations=("tools", "*", "function"),
        name=("name",),
        parameters=("parameters",),
        calls=("messages", "*", "tool_calls", "*"),
        call_id=("id",),
        call_name=("function", "name"),
        call_arguments=("function", "arguments"),
        arguments_as_text=True,
        results=("messages", "*"),
        result_match=(("role", "tool"),),
        result_id=("tool_call_id",),
        results_in_call_order=False,
    ),
    "responses": Family(
        declarations=("tools", "*"),
        name=("name",),
        parameters=("parameters",),
        calls=("input", "*"),
        call_match=(("type", "function_call"),),
        call_id=("call_id",),
        call_name=("name",),
        call_arguments=("arguments",),
        arguments_as_text=True,
        results=("input", "*"),
        result_match=(("type", "function_call_output"),),
        result_id=("call_id",),
        results_in_call_order=False,
    ),
    "anthropic": Family(
        declarations=("tools", "*"),
        name=("name",),
        parameters=("input_schema",),
        calls=("messages", "*", "content", "*"),
        call_match=(("type", "tool_use"),),
        call_id=("id",),
        call_name=("name",),
        call_arguments=("input",),
        arguments_as_text=False,
        results=("messages", "*", "content", "*"),
        result_match=(("type", "tool_result"),),
        result_id=("tool_use_id",),
        results_in_call_order=True,
    ),
    "gemini": Family(
        declarations=("tools", 0, "functionDeclarations", "*"),
        name=("name",),
        parameters=("parametersJsonSchema",),
        calls=("contents", "*", "parts", "*", "functionCall"),
        call_id=("id",),
        call_name=("name",),
        call_arguments=("args",),
        arguments_as_text=False,
        results=("contents", "*", "parts", "*", "functionResponse"),
        result_id=("id",),
        result_name=("name",),
        results_in_call_order=True,
    ),
    "ollama": Family(
        declarations=("tools", "*", "function"),
        name=("name",),
        parameters=("parameters",),
        calls=("messages", "*", "tool_calls", "*"),
        call_id=("id",),
        call_name=("function", "name"),
        call_arguments=("function", "arguments"),
        arguments_as_text=False,
        results=("messages", "*"),
        result_match=(("role", "tool"),),
        result_id=("tool_call_id",),
        result_name=("tool_name",),
        # Results are paired by position on servers before v0.12.10
        # (docs/dialects.md#ollama-history).
        results_in_call_order=True,
    ),
}
FAMILY_OF = {
    "openai": "chat",
    "azure-openai": "chat",
    "xai": "chat",
    "openrouter": "chat",
    "groq": "chat",
    "openai-responses": "responses",
    "anthropic": "anthropic",
    "gemini": "gemini",
    "ollama": "ollama",
}


def walk(value: Any, path: Sequence[str | int]) -> Iterator[tuple[tuple[int, ...], Any]]:
    """Every value at ``path`` ("*" expands lists), with the list indexes taken to reach it."""
    if not path:
        yield (), value
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(value, list):
            for i, item in enumerate(value):
                for idx, found in walk(item, rest):
                    yield (i, *idx), found
    elif isinstance(head, int):
        if isinstance(value, list) and len(value) > head:
            yield from walk(value[head], rest)
    elif isinstance(value, dict) and head in value:
        yield from walk(value[head], rest)


def get(value: Any, path: Sequence[str]) -> Any:
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


# Known gaps between a profile and what its adapter does, found by these properties and
# reported to the adapter's owner. Each has a pinned regression test marked ``xfail(strict=True)``:
# when the adapter is fixed that test passes, fails as XPASS, and the entry goes.
PROFILE_GAPS: dict[str, frozenset[str]] = {}
"""Profile fields an adapter is known not to honour (a gap pins a reported bug; none now)."""


def gap(variant_name: str, field_name: str) -> bool:
    return field_name in PROFILE_GAPS.get(variant_name, frozenset())


# --- the official SDKs' request types ----------------------------------------------------------


def _chat(body: dict[str, Any]) -> list[str]:
    kind = (
        CompletionCreateParamsStreaming
        if body.get("stream")
        else CompletionCreateParamsNonStreaming
    )
    return typeddict_problems(body, kind)


def _responses(body: dict[str, Any]) -> list[str]:
    kind = ResponseCreateParamsStreaming if body.get("stream") else ResponseCreateParamsNonStreaming
    return typeddict_problems(body, kind)


def _anthropic(body: dict[str, Any]) -> list[str]:
    kind = MessageCreateParamsStreaming if body.get("stream") else MessageCreateParamsNonStreaming
    # The installed SDK's types follow API version 2026-10-21, which removed temperature; under
    # 2023-06-01 (fctest's default) it is a documented field (as in tests/providers).
    return [p for p in typeddict_problems(body, kind) if not p.startswith("/temperature:")]


SDK_CHECKS: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "chat": _chat,
    "responses": _responses,
    "anthropic": _anthropic,
    "gemini": request_problems,
    "ollama": ollama_request_problems,
}

# --- variants ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """An adapter with one config; ``openapi`` marks Gemini's OpenAPI-subset schema field."""

    label: str
    adapter: Adapter
    config: Config
    openapi: bool = False
    family: Family | None = field(default=None)

    @property
    def name(self) -> str:
        return self.adapter.name

    @property
    def profile(self) -> Profile:
        return OPENAPI_PROFILE if self.openapi else self.adapter.profile

    @property
    def json_schema(self) -> bool:
        """Whether the sent schemas are JSON Schema (the OpenAPI form is read back first)."""
        return not self.openapi

    def fit(self, tools_: Sequence[Tool]) -> tuple[FittedTool, ...]:
        return fit_tools(tuple(tools_), self.profile, provider=self.adapter.name)

    def sent_schema(self, fitted: FittedTool) -> dict[str, Any]:
        """The fitted parameters as JSON Schema (Gemini's OpenAPI form converted back)."""
        return openapi_to_json_schema(fitted.parameters) if self.openapi else fitted.parameters

    def need_family(self) -> Family:
        if self.family is None:
            pytest.skip(f"{self.label}: no JSON paths for this adapter's wire format")
        return self.family

    def sdk_problems(self, body: dict[str, Any]) -> list[str]:
        family = FAMILY_OF.get(self.name)
        return SDK_CHECKS[family](body) if family else []


def variants() -> list[Variant]:
    out = []
    for name in adapter_names():
        adapter = get_adapter(name)
        config = adapter.config_type(api_key="test-key", base_url="https://fctest.invalid/v1")
        family = FAMILIES.get(FAMILY_OF.get(name, ""))
        out.append(Variant(name, adapter, config, family=family))
        if name == "gemini":
            parameters = Family(**{**family.__dict__, "parameters": ("parameters",)})  # type: ignore[union-attr]
            out.append(
                Variant(
                    "gemini[parameters]",
                    adapter,
                    GeminiConfig(api_key="test-key", schema_field="parameters"),
                    openapi=True,
                    family=parameters,
                )
            )
    return out


VARIANTS = variants()

PER_VARIANT = settings(max_examples=max(5, settings.default.max_examples // 5))
"""Each property runs once per variant, so each run gets a fifth of the profile's examples:
10 under ``ci`` (x 9 variants x 6 properties), 1,000 under ``long``."""
IDS = [v.label for v in VARIANTS]


def request(tools_: Sequence[Tool], messages: Sequence[Message] = (USER,)) -> Request:
    return Request(model=MODEL, messages=tuple(messages), tools=tuple(tools_))


def any_tool(max_depth: int = 2) -> st.SearchStrategy[Tool]:
    """A tool of any name and schema, strict or not or unmarked."""
    return st.sampled_from([None, True, False]).flatmap(
        lambda s: tools(strict=s, max_depth=max_depth)
    )


def copy_tool(t: Tool) -> Tool:
    """An equal tool made of new objects."""
    return Tool(t.name, t.description, copy.deepcopy(t.parameters), t.strict)


# --- schemas -----------------------------------------------------------------------------------


def nodes(schema: Any, pointer: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object in ``schema`` with its JSON pointer (keys of a node are keywords)."""
    if not isinstance(schema, dict):
        return
    yield pointer, schema
    for path, sub in subschemas(schema):
        yield from nodes(sub, pointer + json_pointer(path))


def resolves(schema: Any, pointer: str) -> bool:
    """Whether a JSON pointer names a location in ``schema`` (``""`` is the root)."""
    if pointer == "":
        return True
    if not pointer.startswith("/"):
        return False
    node = schema
    for raw in pointer[1:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False
    return True


_OPENAPI_TYPES = {"STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT", "NULL"}


def openapi_to_json_schema(node: Any) -> Any:
    """Gemini's OpenAPI ``Schema`` read back as JSON Schema: upper-case types lowered,
    ``nullable: true`` as a ``null`` type, enum value or ``anyOf`` branch."""
    if isinstance(node, list):
        return [openapi_to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("properties",) and isinstance(value, dict):
            out[key] = {k: openapi_to_json_schema(v) for k, v in value.items()}
        elif key in ("items", "anyOf"):
            out[key] = openapi_to_json_schema(value)
        elif key == "type" and isinstance(value, str) and value in _OPENAPI_TYPES:
            out[key] = value.lower()
        elif key in ("nullable", "propertyOrdering", "example"):
            continue
        else:
            out[key] = value
    if node.get("nullable") is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        if "anyOf" in out and "type" not in out:
            out["anyOf"] = [*out["anyOf"], {"type": "null"}]
    return out


def validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema)


def to_wire(value: Any, schema: Any, root: Draft202012Validator) -> Any:
    """``value`` as a strict decoder writes it: every property a closed-and-required object
    lists is present, ``null`` for the optional ones the caller left out (OpenAI strict:
    docs/dialects.md#strict-openai-required).

    ``root`` validates subschemas with the sent schema's ``$defs`` in reach.
    """
    if not isinstance(schema, dict):
        return value
    ref = schema.get("$ref")
    if isinstance(ref, str):
        target = root.schema
        for part in ref.lstrip("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        value = to_wire(value, target, root)
    for sub in schema.get("allOf", ()):
        value = to_wire(value, sub, root)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            for branch in schema[key]:
                candidate = to_wire(value, branch, root)
                if root.evolve(schema=branch).is_valid(candidate):
                    return candidate
            return value
    props = schema.get("properties")
    if isinstance(value, dict) and isinstance(props, dict):
        out = {k: (to_wire(v, props[k], root) if k in props else v) for k, v in value.items()}
        for k in schema.get("required", ()):
            if k not in out and k in props:
                out[k] = None
        return out
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [to_wire(v, schema["items"], root) for v in value]
    return value


def same_but_null_optionals(decoded: Any, sent: Any) -> bool:
    """``decoded == sent``, except that ``decoded`` may hold ``null`` for keys ``sent`` left out
    (under OpenAI strict an omitted optional nullable property and ``null`` are one wire form)."""
    if isinstance(sent, dict) and isinstance(decoded, dict):
        if any(k not in decoded for k in sent):
            return False
        extra = [k for k in decoded if k not in sent]
        return all(decoded[k] is None for k in extra) and all(
            same_but_null_optionals(decoded[k], sent[k]) for k in sent
        )
    if isinstance(sent, list) and isinstance(decoded, list):
        return len(sent) == len(decoded) and all(
            same_but_null_optionals(d, s) for d, s in zip(decoded, sent, strict=True)
        )
    return (bool(decoded == sent) and type(decoded) is type(sent)) or _same_number(decoded, sent)


def _same_number(a: Any, b: Any) -> bool:
    numbers = (int, float)
    return (
        isinstance(a, numbers)
        and isinstance(b, numbers)
        and not isinstance(a, bool)
        and not isinstance(b, bool)
        and a == b
    )


def json_round(value: Any) -> Any:
    return json.loads(json.dumps(value))


def no_encoder(exc: UsageError) -> bool:
    text = str(exc)
    return "has no responder" in text
