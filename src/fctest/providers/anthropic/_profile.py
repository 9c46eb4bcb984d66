"""Anthropic's profile and config: what the Messages API accepts, as data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ...dialect import IdRule, KeywordMode, ModelRule, Profile, ValueCase, ValueRule
from .._base import Config
from ._schema import SDK_TRANSFORM, SO_DOC, AnthropicStrictTransformer

__all__ = ["PROFILE", "AnthropicConfig"]


@dataclass(frozen=True)
class AnthropicConfig(Config):
    """Settings for the Anthropic API.

    ``version`` (default ``"2023-06-01"``) is sent as ``anthropic-version``. ``2026-10-21``, the
    version the 2.x SDKs send, removes ``temperature``/``top_p``/``top_k`` (400), so fctest refuses
    a ``temperature`` under it (docs/dialects.md#anthropic-version-2026). ``beta`` lists
    ``anthropic-beta`` flags. ``max_tokens`` (default 4096, what pydantic-ai and the recorded corpus
    send) is used when the request sets no ``max_output_tokens``: the API requires the field
    (docs/dialects.md#max-tokens-anthropic); with ``thinking_budget`` the budget is added on top,
    since thinking tokens count toward it.
    """

    version: str = "2023-06-01"
    beta: tuple[str, ...] = ()
    max_tokens: int = 4096


# Strict mode (structured-outputs doc, "JSON Schema limitations"): supported keywords are sent
# as they are; unsupported constraints are moved into the description, as the SDK's
# transform_schema does ("Update descriptions with constraint info"), and fctest validates the
# arguments against the user's full schema on the client. Unlisted keywords follow the same rule.
_STRICT_KEYWORDS: Mapping[str, KeywordMode | ValueRule] = {
    **dict.fromkeys(
        (
            "type",
            "properties",
            "required",
            "items",
            "anyOf",
            "$ref",
            "$defs",
            "definitions",
            "default",
            "description",
            "title",
        ),
        "native",
    ),
    # Value-dependent: kept when the value is supported, else moved into the description.
    **dict.fromkeys(
        ("enum", "const", "format", "minItems", "pattern", "oneOf", "allOf"), "rewritten"
    ),
    # Annotations with no effect on what validates.
    **dict.fromkeys(("$schema", "$id", "$comment", "$anchor"), "dropped"),
    # `false` only: strict mode closes every object and refuses an open one.
    "additionalProperties": ValueRule(
        (ValueCase("false", "native"),), otherwise="rejected", otherwise_label="true or a schema"
    ),
}

_LIMITS = (
    "https://platform.claude.com/docs/en/build-with-claude/structured-outputs, Schema complexity "
    "limits (docs/dialects.md#strict-anthropic-limits)"
)

_MODELS_DOC = "docs/dialects.md#strict-anthropic-models"

MODELS = (
    ModelRule(
        "Claude before 4.5",
        (
            "claude-2*",
            "claude-instant*",
            "claude-3*",
            "claude-opus-4-0*",
            "claude-opus-4-1*",
            "claude-opus-4-2025*",
            "claude-sonnet-4-0*",
            "claude-sonnet-4-2025*",
        ),
        # No strict tool use and no output_config.format: a final answer's schema goes through
        # a forced tool (Client.parse).
        {"strict_mode": "none", "structured_output": "tool"},
        f"strict tool use and structured outputs start with the 4.5 generation ({_MODELS_DOC})",
    ),
    ModelRule(
        "Claude 4.5",
        ("claude-opus-4-5*", "claude-sonnet-4-5*", "claude-haiku-4-5*"),
        {},
        f"strict tool use and structured outputs supported ({_MODELS_DOC})",
    ),
)
"""Anthropic's model generations (a model no rule names gets the documented defaults)."""

PROFILE = Profile(
    tool_name_pattern=r"^[a-zA-Z0-9_-]{1,128}$",
    tool_name_max_length=128,
    # The documentation says 64; the server accepts 128 (docs/dialects.md#tool-names-anthropic).
    documented={"tool_name_pattern": r"^[a-zA-Z0-9_-]{1,64}$", "tool_name_max_length": 64},
    max_tools=None,
    description_max_length=None,
    transformer=AnthropicStrictTransformer,
    strict_keywords=_STRICT_KEYWORDS,
    strict_unknown_keyword="rewritten",
    # Strict tool use: the 4.5 generation and later (MODELS).
    strict_mode="per_tool",
    strict_default=False,
    max_strict_tools=20,
    max_strict_optional_params=24,
    max_strict_union_params=16,
    structured_output="native",
    # output_config.format is always constrained: it gets the strict rules.
    output_strictness="always",
    argument_encoding="object",
    id_rule=IdRule(r"^[a-zA-Z0-9_-]+$", max_length=None),
    tool_call_ids="provider",
    streams_arguments=True,
    requires_parameters=True,
    max_tokens_field="max_tokens",
    base_url="https://api.anthropic.com",
    env={"api_key": ("ANTHROPIC_API_KEY",), "base_url": ("ANTHROPIC_BASE_URL",)},
    models=MODELS,
    sources={
        "output_strictness": f"{SO_DOC} (output_config.format shares strict tools' rules)",
        "max_tokens_field": "SDK MessageCreateParamsBase.max_tokens: Required[int]",
        "base_url": "SDK _client.py default base URL",
        "env": "SDK _client.py: ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL",
        "tool_name_pattern": (
            "400 'tools.N.custom.name: String should match pattern ^[a-zA-Z0-9_-]{1,128}$' "
            "since mid-2025 (docs/dialects.md#tool-names-anthropic)"
        ),
        "tool_name_max_length": (
            "128, as the 400 quotes; the docs document 64 "
            "(docs/dialects.md#conflict-anthropic-name-length)"
        ),
        "max_tools": "no general cap documented (docs/dialects.md#max-tools-others)",
        "strict_keywords": SO_DOC,
        "keywords": SO_DOC,
        "keywords.additionalProperties": (
            "strict mode needs additionalProperties: false on every object "
            "(docs/dialects.md#strict-anthropic-schema)"
        ),
        "keywords.oneOf": f"{SDK_TRANSFORM} turns oneOf into anyOf",
        "keywords.$schema": "annotation only",
        "max_strict_tools": _LIMITS,
        "max_strict_optional_params": _LIMITS,
        "max_strict_union_params": _LIMITS,
        "tool_choice": (
            "SDK types/tool_choice_{auto,any,tool,none}_param.py "
            "(docs/dialects.md#tool-choice-anthropic)"
        ),
        "parallel_call_control": (
            "tool_choice.disable_parallel_tool_use (SDK; docs/dialects.md#parallel-anthropic)"
        ),
        "strict_default": (
            "strict is opt-in (SDK tool_param.py 'strict: bool'; "
            "docs/dialects.md#strict-anthropic-flag)"
        ),
        "structured_output": "output_config.format json_schema (SDK output_config_param.py)",
        "argument_encoding": "tool_use.input is an object (SDK tool_use_block.py)",
        "id_rule": (
            "400 'tool_use.id: String should match pattern ^[a-zA-Z0-9_-]+$' "
            "(docs/dialects.md#ids-anthropic)"
        ),
        "requires_parameters": (
            "input_schema is Required (SDK tool_param.py; docs/dialects.md#parameters-anthropic)"
        ),
    },
)
