"""Property 6: fitting is deterministic and idempotent.

Deterministic, for every variant: the same request built twice, or built from an equal tool made
of new objects, gives the same bytes (or the same ``IncompatibleToolError``).

Idempotent: the fitted tool, declared again under its wire name with its fitted schema and
strictness, fits to itself with no change. This holds for every dialect whose sent schema is JSON
Schema (all built-in adapters with their default config). It does not apply to Gemini's OpenAPI
``parameters`` form: its output (``"type": "STRING"``, ``nullable``) is not JSON Schema, so it
cannot be declared as a tool again.
"""

from __future__ import annotations

import pytest
from hypothesis import given

from fctest import Tool
from fctest.errors import IncompatibleToolError
from properties._support import IDS, PER_VARIANT, VARIANTS, Variant, any_tool, copy_tool, request


def _build(variant: Variant, tool: Tool) -> bytes | str:
    try:
        return variant.adapter.build_request(request([tool]), variant.config).body
    except IncompatibleToolError as exc:
        return str(exc)


@pytest.mark.parametrize("variant", VARIANTS, ids=IDS)
@PER_VARIANT
@given(tool=any_tool())
def test_p6_same_input_same_bytes(variant: Variant, tool: Tool) -> None:
    first = _build(variant, tool)
    assert _build(variant, tool) == first
    assert _build(variant, copy_tool(tool)) == first


@pytest.mark.parametrize(
    "variant",
    [v for v in VARIANTS if v.json_schema],
    ids=[v.label for v in VARIANTS if v.json_schema],
)
@PER_VARIANT
@given(tool=any_tool())
def test_p6_fitting_the_fitted_tool_changes_nothing(variant: Variant, tool: Tool) -> None:
    try:
        (fitted,) = variant.fit([tool])
    except IncompatibleToolError:
        return
    again_tool = Tool(fitted.name, fitted.description, fitted.parameters, strict=fitted.strict)
    (again,) = variant.fit([again_tool])
    assert again.name == fitted.name
    assert again.description == fitted.description
    assert again.parameters == fitted.parameters
    assert again.strict == fitted.strict
    # Nothing to change twice; keywords the provider does not enforce are noted each time.
    assert [c for c in again.changes if c.action != "unenforced"] == []
    assert [c for c in again.changes if c.action == "unenforced"] == [
        c for c in fitted.changes if c.action == "unenforced"
    ]
