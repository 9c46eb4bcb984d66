"""Ollama's profile: what the native ``/api/chat`` accepts, as data.

Sources: the API reference (ollama/ollama ``docs/api.md``, ``docs/capabilities/*.mdx``,
``docs/api/*.mdx``), the server's own types (``api/types.go``) and handler
(``server/routes.go``) at fb30760 (2026-08-21, v0.33.0-rc2), and ollama-python 0.6.3
(``ollama/_types.py``, ``ollama/_client.py``). Each value links its evidence in docs/dialects.md.
"""

from __future__ import annotations

from ...dialect import ModelRule, Profile
from ._schema import FORMAT_KEYWORDS, FORMAT_SOURCE, TOOL_KEYWORDS, TOOL_SOURCE

__all__ = ["MODELS", "PROFILE"]

_D = "docs/dialects.md"

MODELS = (
    ModelRule(
        "Ollama Cloud",
        ("*-cloud", "*:cloud"),
        {"structured_output": "none"},
        f"'Ollama's Cloud currently does not support structured outputs' ({_D}#ollama-cloud)",
    ),
)
"""Ollama's model families: a local model no rule names gets the documented defaults."""

PROFILE = Profile(
    # No name rule is documented (ToolFunction.Name is any string); fctest keeps the portable one.
    tool_name_pattern=r"^[a-zA-Z0-9_-]{1,64}$",
    tool_name_max_length=64,
    max_tools=None,
    description_max_length=None,
    keywords=TOOL_KEYWORDS,
    unknown_keyword="unenforced",
    strict_keywords=FORMAT_KEYWORDS,
    strict_unknown_keyword="native",
    tool_choice=frozenset({"auto"}),
    parallel_call_control=False,
    strict_mode="none",
    strict_default=False,
    structured_output="native",
    structured_output_with_tools=False,
    structured_output_streaming=True,
    output_strictness="always",
    argument_encoding="object",
    id_rule=None,
    tool_call_ids="provider",
    documented={"tool_call_ids": "generated"},
    streams_arguments=False,
    requires_parameters=False,
    max_tokens_field="num_predict",
    stream_usage_option=False,
    retry_headers=("retry-after",),
    base_url="http://localhost:11434",
    # No key locally, so none is demanded: OLLAMA_API_KEY is not read (a client that read it
    # would refuse to run without one), nor OLLAMA_HOST, whose host[:port] form is not a URL.
    env={},
    models=MODELS,
    sources={
        "tool_name_pattern": (
            f"no rule documented; ToolFunction.Name is a plain string (api/types.go); the "
            f"portable rule is fctest's choice ({_D}#ollama-tools)"
        ),
        "max_tools": f"no limit documented ({_D}#ollama-tools)",
        "keywords": TOOL_SOURCE,
        "strict_keywords": FORMAT_SOURCE,
        "tool_choice": (
            f"ChatRequest has no tool_choice (api/types.go, docs/api.md): only the default, a "
            f"free choice, can be had ({_D}#ollama-tool-choice)"
        ),
        "parallel_call_control": f"no field for it in ChatRequest ({_D}#ollama-parallel)",
        "strict_mode": f"no strict flag: tool arguments are not constrained ({_D}#ollama-schema)",
        "structured_output": f"format takes a JSON Schema ({_D}#ollama-structured-output)",
        "structured_output_with_tools": (
            f"a schema in format suppresses tool calls (observed: {_D}#ollama-format-tools)"
        ),
        "output_strictness": FORMAT_SOURCE,
        "argument_encoding": (
            f"function.arguments is a JSON object (api/types.go ToolCallFunctionArguments; "
            f"ollama-python Message.ToolCall.Function.arguments: Mapping) ({_D}#ollama-arguments)"
        ),
        "tool_call_ids": (
            f"servers from v0.12.10 give every call an id 'call_' + 8 characters, recorded; the "
            f"API reference and ollama-python 0.6.3 show none, and ids are made up when absent "
            f"({_D}#ollama-ids)"
        ),
        "streams_arguments": f"each NDJSON line holds whole tool calls ({_D}#ollama-streaming)",
        "requires_parameters": "ollama-python Tool.Function.parameters is Optional",
        "max_tokens_field": (
            f"options.num_predict, the Modelfile parameter (docs/modelfile.mdx; ollama-python "
            f"Options.num_predict) ({_D}#ollama-options)"
        ),
        "retry_headers": (
            f"unconfirmed: a 429 is documented, its headers are not ({_D}#ollama-errors)"
        ),
        "base_url": f"docs/api/introduction.mdx: http://localhost:11434/api ({_D}#ollama-endpoint)",
        "env": (
            f"no key is needed locally; a key for ollama.com goes in Authorization: Bearer "
            f"({_D}#ollama-endpoint)"
        ),
    },
)
