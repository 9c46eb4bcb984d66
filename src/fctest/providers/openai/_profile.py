"""The OpenAI profiles: Chat Completions (``OPENAI_PROFILE``, the base of every
OpenAI-compatible vendor) and the Responses API (``RESPONSES_PROFILE``). Data only."""

from __future__ import annotations

from typing import Final

from ...dialect import IdRule, Profile
from ._schema import STRICT_KEYWORDS, STRICT_SOURCES, OpenAIStrictTransformer

__all__ = ["OPENAI_PROFILE", "RESPONSES_PROFILE"]

_SPEC = "openai-openapi openapi.yaml"

OPENAI_PROFILE = Profile(
    tool_name_pattern=r"^[a-zA-Z0-9_-]{1,64}$",
    tool_name_max_length=64,
    max_tools=128,
    description_max_length=1024,
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
    sources={
        "tool_name_pattern": f"{_SPEC} FunctionObject.name; server 400 invalid_value [I12] (C01)",
        "tool_name_max_length": f"{_SPEC} FunctionObject.name 'maximum length of 64' (C04)",
        "max_tools": f"{_SPEC} @c880fa1 (2024-10) 'A max of 128 functions'; gone from the "
        "current spec, still the documented cap elsewhere (C06)",
        "description_max_length": "400 string_above_max_length on tools[].function.description, "
        "2024-11..2025-04 [I14] (C05); current status unconfirmed, so descriptions are cut "
        "and the change recorded",
        "keywords": f"{_SPEC} FunctionParameters: any JSON Schema object in non-strict mode",
        "tool_choice": f"{_SPEC} ChatCompletionToolChoiceOption, ChatCompletionNamedToolChoice",
        "parallel_call_control": f"{_SPEC} ParallelToolCalls (C27)",
        "strict_mode": f"{_SPEC} FunctionObject.strict (C18)",
        "strict_default": f"{_SPEC} FunctionObject.strict 'Defaults to false' (C18)",
        "structured_output": f"{_SPEC} ResponseFormatJsonSchema",
        "argument_encoding": f"{_SPEC} ChatCompletionMessageToolCall.function.arguments (C28)",
        "streams_arguments": "ChatCompletionMessageToolCallChunk; openai-python inline "
        "snapshot of a tool-call stream [S-OPY-SNAP] (C38)",
        "requires_parameters": f"{_SPEC} FunctionObject: parameters optional (C07)",
        "id_rule": "400 string_above_max_length \"Invalid 'messages[N].tool_calls"
        "[0].id': string too long. Expected a string with maximum length 40\" (agno-agi/agno "
        "#5382, microsoft/autogen #6377; also Azure: Portkey-AI/gateway #1062) (C29)",
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
            "id deterministically, a call and its result alike (C29)"
        ),
        "tool_name_pattern": (
            "no pattern on the plain Responses FunctionTool in the spec (unconfirmed, "
            "provider-dialects.md §3); the Chat rule (FunctionObject.name, enforced per [I12]) "
            "is kept so one tool set is valid on both OpenAI APIs (C01)"
        ),
        "tool_name_max_length": "as tool_name_pattern; 64 is the portable maximum (C04)",
        "max_tools": "not documented for Responses (unconfirmed); Chat's documented 128 (C06)",
        "description_max_length": (
            "no limit documented for Responses (unconfirmed, provider-dialects.md §3); the "
            "1024 cut seen on Chat [I14] is not applied"
        ),
        "tool_choice": f"{_SPEC} ToolChoiceOptions and the flat ToolChoiceFunction (C24)",
        "strict_mode": f"{_SPEC} FunctionTool.strict (C18)",
        "strict_default": (
            f"{_SPEC} FunctionToolParam (2026-07): an unmarked tool is 'strict if compatible'; "
            "fctest never relies on that and always sends strict explicitly, false unless the "
            "tool asks for strict, as on Chat (C18)"
        ),
        "structured_output": f"{_SPEC} TextResponseFormatJsonSchema (text.format, flat)",
        "argument_encoding": f"{_SPEC} FunctionToolCall.arguments, a JSON string (C28)",
        "streams_arguments": (
            f"{_SPEC} ResponseFunctionCallArgumentsDeltaEvent/DoneEvent (C38c); corpus "
            "vercel/ai azure-tool-call.1.chunks.txt"
        ),
        "requires_parameters": (
            "openai-python function_tool_param.py: parameters Required[Optional[...]]; "
            "fctest always sends an object schema"
        ),
    },
)
"""Chat's profile (``fctest.providers.openai``) with what differs on Responses."""
