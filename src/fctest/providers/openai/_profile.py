"""The OpenAI profiles: Chat Completions (``OPENAI_PROFILE``, the base of every
OpenAI-compatible vendor) and the Responses API (``RESPONSES_PROFILE``). Data only."""

from __future__ import annotations

from typing import Final

from ...dialect import IdRule, ModelRule, Profile
from ._schema import STRICT_KEYWORDS, STRICT_SOURCES, OpenAIStrictTransformer

__all__ = ["OPENAI_PROFILE", "RESPONSES_PROFILE"]

_SPEC = "openai-openapi openapi.yaml"

REASONING_MODELS = ModelRule(
    "o-series reasoning models",
    ("o1", "o1-*", "o3", "o3-*", "o4-mini", "o4-mini-*"),
    {"parallel_call_control": False},
    "400 'Unsupported parameter: parallel_tool_calls is not supported with this model' for "
    "any value (docs/dialects.md#parallel-openai-reasoning)",
)
"""OpenAI's o-series: no ``parallel_tool_calls`` at all (observed on Chat Completions, and on
Azure deployments of these models)."""

OPENAI_PROFILE = Profile(
    tool_name_pattern=r"^[a-zA-Z0-9_-]{1,64}$",
    tool_name_max_length=64,
    max_tools=None,
    description_max_length=None,
    transformer=OpenAIStrictTransformer,
    strict_keywords=STRICT_KEYWORDS,
    strict_mode="per_tool",
    strict_default=False,
    structured_output="native",
    argument_encoding="json_string",
    streams_arguments=True,
    requires_parameters=False,
    id_rule=IdRule(r"^.{1,40}$", max_length=40),
    max_tokens_field="max_completion_tokens",
    stream_usage_option=True,
    retry_headers=("retry-after-ms", "retry-after"),
    base_url="https://api.openai.com/v1",
    env={"api_key": ("OPENAI_API_KEY",), "base_url": ("OPENAI_BASE_URL",)},
    models=(REASONING_MODELS,),
    sources={
        "tool_name_pattern": (
            f"{_SPEC} FunctionObject.name; the server's 400 invalid_value quotes it "
            "(docs/dialects.md#tool-names-openai)"
        ),
        "tool_name_max_length": (
            f"{_SPEC} FunctionObject.name 'maximum length of 64' "
            "(docs/dialects.md#tool-names-openai)"
        ),
        "max_tools": (
            "no limit in the current spec or guide; the 2024-10 spec said 128 "
            "(docs/dialects.md#max-tools-openai)"
        ),
        "description_max_length": (
            "no limit in the spec; a 1024-character 400 was observed in 2024-11..2025-04 and "
            "is not confirmed since (docs/dialects.md#descriptions-openai)"
        ),
        "keywords": f"{_SPEC} FunctionParameters: any JSON Schema object in non-strict mode",
        "tool_choice": f"{_SPEC} ChatCompletionToolChoiceOption, ChatCompletionNamedToolChoice",
        "parallel_call_control": f"{_SPEC} ParallelToolCalls (docs/dialects.md#parallel-openai)",
        "strict_mode": f"{_SPEC} FunctionObject.strict (docs/dialects.md#strict-openai-flag)",
        "strict_default": (
            f"{_SPEC} FunctionObject.strict 'default: false' (docs/dialects.md#strict-openai-flag)"
        ),
        "structured_output": f"{_SPEC} ResponseFormatJsonSchema",
        "argument_encoding": (
            f"{_SPEC} ChatCompletionMessageToolCall.function.arguments "
            "(docs/dialects.md#arguments-openai)"
        ),
        "streams_arguments": (
            f"{_SPEC} ChatCompletionMessageToolCallChunk, fragments keyed by index; recorded "
            "(docs/dialects.md#stream-openai-chunks)"
        ),
        "requires_parameters": (
            f"{_SPEC} FunctionObject: parameters optional (docs/dialects.md#parameters-openai)"
        ),
        "id_rule": (
            "400 string_above_max_length \"Invalid 'messages[N].tool_calls[0].id': string too "
            'long. Expected a string with maximum length 40", seen in 2025, also on Azure; a '
            "2026-07 reproduction found 51 characters accepted (docs/dialects.md#ids-openai, "
            "docs/dialects.md#conflict-openai-id-length)"
        ),
        "max_tokens_field": f"{_SPEC} CreateChatCompletionRequest: max_tokens is deprecated "
        "in favour of max_completion_tokens",
        "stream_usage_option": f"{_SPEC} ChatCompletionStreamOptions.include_usage",
        "retry_headers": "openai-python _base_client.py reads retry-after-ms, then retry-after",
        "env": "openai-python _client.py: OPENAI_API_KEY, OPENAI_BASE_URL",
        **STRICT_SOURCES,
    },
)


RESPONSES_PROFILE: Final = OPENAI_PROFILE.evolve(
    description_max_length=None,
    # The o-series refusal of parallel_tool_calls was observed on Chat Completions only.
    models=(),
    id_rule=IdRule(r"^[a-zA-Z0-9_-]{1,64}$", max_length=64),
    max_tokens_field="max_output_tokens",
    stream_usage_option=False,
    sources={
        "max_tokens_field": f"{_SPEC} CreateResponse.max_output_tokens",
        "stream_usage_option": "the response.completed event carries usage (openai-python "
        "types/responses/response_completed_event.py)",
        "id_rule": (
            f"{_SPEC} FunctionCallOutputItemParam.call_id: 1-64 characters; no character set "
            "is documented, so fctest keeps OpenAI's own [a-zA-Z0-9_-] and remaps any other "
            "id deterministically, a call and its result alike (docs/dialects.md#ids-responses)"
        ),
        "tool_name_pattern": (
            "no pattern on the plain Responses FunctionTool in the spec; the Chat rule is kept "
            "so one tool set is valid on both OpenAI APIs (docs/dialects.md#tool-names-responses)"
        ),
        "tool_name_max_length": (
            "as tool_name_pattern; 64 is the portable maximum "
            "(docs/dialects.md#tool-names-responses)"
        ),
        "max_tools": (
            "not documented for Responses (unconfirmed: docs/dialects.md#max-tools-others); "
            "Chat's 2024 cap of 128 (docs/dialects.md#max-tools-openai)"
        ),
        "description_max_length": (
            "no limit documented for Responses (unconfirmed: "
            "docs/dialects.md#descriptions-others); the 1024 cut seen on Chat is not applied"
        ),
        "tool_choice": (
            f"{_SPEC} ToolChoiceOptions and the flat ToolChoiceFunction "
            "(docs/dialects.md#tool-choice-responses)"
        ),
        "strict_mode": f"{_SPEC} FunctionTool.strict (docs/dialects.md#strict-responses-default)",
        "strict_default": (
            "an unmarked tool is made strict when its schema allows (function-calling guide, "
            "docs/dialects.md#strict-responses-default); fctest never relies on that and always "
            "sends strict explicitly, false unless the tool asks for strict, as on Chat"
        ),
        "structured_output": f"{_SPEC} TextResponseFormatJsonSchema (text.format, flat)",
        "argument_encoding": (
            f"{_SPEC} FunctionToolCall.arguments, a JSON string "
            "(docs/dialects.md#arguments-responses)"
        ),
        "streams_arguments": (
            f"{_SPEC} ResponseFunctionCallArgumentsDeltaEvent/DoneEvent; recorded "
            "(docs/dialects.md#stream-responses)"
        ),
        "requires_parameters": (
            "openai-python function_tool_param.py: parameters Required[Optional[...]]; "
            "fctest always sends an object schema (docs/dialects.md#parameters-responses)"
        ),
    },
)
"""Chat's profile (``fctest.providers.openai``) with what differs on Responses."""
