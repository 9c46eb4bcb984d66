"""Ollama's schema dialect, as data: what the server keeps of a tool schema and of ``format``.

No transformer is needed: schemas are sent as written, and the keyword modes say what the
server does with each keyword. Tools are decoded into fixed Go structs before the prompt is
rendered, so a keyword those structs lack never reaches the model, and nothing checks the
arguments a model writes (docs/dialects.md#ollama-schema). ``format`` goes verbatim to
llama-server as a JSON Schema that constrains sampling (docs/dialects.md#ollama-structured-output).
"""

from __future__ import annotations

from collections.abc import Mapping

from ...dialect import KeywordMode

__all__ = ["FORMAT_KEYWORDS", "FORMAT_SOURCE", "TOOL_KEYWORDS", "TOOL_SOURCE"]

TOOL_SOURCE = (
    "ollama/ollama api/types.go (ToolFunctionParameters, ToolProperty): the server decodes tool "
    "schemas into structs that keep only type, properties, required, items, description, enum, "
    "anyOf and $defs; the rest is discarded and nothing validates arguments "
    "(docs/dialects.md#ollama-schema)"
)

FORMAT_SOURCE = (
    "format is passed verbatim to llama-server's json_schema, which constrains sampling "
    "(ollama/ollama llm/llama_server.go; docs/dialects.md#ollama-structured-output); which "
    "keywords its grammar converter honours is unconfirmed"
)

TOOL_KEYWORDS: Mapping[str, KeywordMode] = dict.fromkeys(
    ("type", "properties", "required", "items", "description", "enum", "anyOf", "$defs"),
    "native",
)
"""Keywords the server's tool structs keep (the model sees them); every other keyword is sent
but discarded by the server (``unknown_keyword="unenforced"``), and fctest checks it."""

FORMAT_KEYWORDS: Mapping[str, KeywordMode] = {}
"""``format`` (fitted with the strict rules: ``output_strictness="always"``) is sent whole."""
