"""Property 3: arguments survive the round trip.

For any tool and arguments valid under its schema, the provider-format answer carrying a call
with those arguments decodes (``parse_response`` with the request) to the same arguments under
the tool's own name, valid under the user's schema.

The call is encoded in its *wire* form, as the provider's model would send it: under the wire
tool name (renamed tools), and under OpenAI-style strict mode with ``null`` for every optional
property left out (``_support.to_wire``, written independently of fctest's own mapping). The
only difference allowed on the way back is that ambiguity: an optional property whose own schema
accepts ``null`` comes back as ``null`` when it was left out.

A second test encodes the neutral form (``encode_response`` does the wire mapping itself) and
asks for an equal call back: the encoder's contract.
"""

from __future__ import annotations

import pytest
from hypothesis import event, given, reject
from hypothesis import strategies as st

from fctest import HttpResponse, Response, Tool, ToolCall
from fctest.dialect import FittedTool
from fctest.errors import IncompatibleToolError, UsageError
from fctest.providers import responder_for
from fctest.strategies import call_ids, tool_arguments
from properties._support import (
    IDS,
    PER_VARIANT,
    VARIANTS,
    Variant,
    any_tool,
    no_encoder,
    request,
    same_but_null_optionals,
    to_wire,
    validator,
)


def encode(variant: Variant, response: Response, tool: Tool) -> HttpResponse:
    try:
        return responder_for(variant.adapter).encode_response(response, request([tool]))
    except UsageError as exc:
        if no_encoder(exc):
            pytest.skip(f"{variant.label}: {exc}")
        raise


def fitted_or_reject(variant: Variant, tool: Tool) -> FittedTool:
    try:
        (fitted,) = variant.fit([tool])
    except IncompatibleToolError:
        reject()
    return fitted


@pytest.mark.parametrize("variant", VARIANTS, ids=IDS)
@PER_VARIANT
@given(data=st.data())
def test_p3_wire_arguments_decode_to_the_callers_arguments(
    variant: Variant, data: st.DataObject
) -> None:
    tool = data.draw(any_tool(), label="tool")
    fitted = fitted_or_reject(variant, tool)
    arguments = data.draw(tool_arguments(tool), label="arguments")
    sent = variant.sent_schema(fitted)
    wire = to_wire(arguments, sent, validator(sent)) if fitted.nullable_optionals else arguments
    call_id = data.draw(call_ids(dialect=variant.name), label="id")
    event(f"strict={fitted.strict} nullable_optionals={fitted.nullable_optionals}")
    event(f"renamed={fitted.name != tool.name} wire_differs={wire != arguments}")
    response = Response(
        variant.name,
        "m",
        tool_calls=(ToolCall(call_id, fitted.name, wire),),
        finish_reason="tool_calls",
    )
    decoded = variant.adapter.parse_response(encode(variant, response, tool), request([tool]))
    (call,) = decoded.tool_calls
    assert call.name == tool.name
    assert not call.malformed
    if fitted.nullable_optionals:
        assert same_but_null_optionals(call.arguments, arguments), (call.arguments, arguments)
        # Valid under the user's schema, keywords strict mode did not send included.
        assert tool.argument_errors(call.arguments) == []
    else:
        assert call.arguments == arguments
        assert tool.argument_errors(call.arguments) == []


@pytest.mark.parametrize("variant", VARIANTS, ids=IDS)
@PER_VARIANT
@given(data=st.data())
def test_p3_neutral_calls_encode_and_decode_to_equal_calls(
    variant: Variant, data: st.DataObject
) -> None:
    tool = data.draw(any_tool(), label="tool")
    fitted_or_reject(variant, tool)
    calls = tuple(
        ToolCall(i, tool.name, data.draw(tool_arguments(tool), label="arguments"))
        for i in data.draw(
            st.lists(call_ids(dialect=variant.name), min_size=1, max_size=3, unique=True)
        )
    )
    text = data.draw(st.none() | st.text(min_size=1, max_size=30), label="text")
    response = Response(variant.name, "m", text=text, tool_calls=calls, finish_reason="tool_calls")
    decoded = variant.adapter.parse_response(encode(variant, response, tool), request([tool]))
    assert [(c.name, c.arguments) for c in decoded.tool_calls] == [
        (c.name, c.arguments) for c in calls
    ]
    if variant.profile.tool_call_ids == "provider":
        assert [c.id for c in decoded.tool_calls] == [c.id for c in calls]
    assert (decoded.text or None) == text


# --- pinned counterexamples -------------------------------------------------------------------


@pytest.mark.parametrize("adapter", ["openai", "openai-responses"])
def test_p3_strict_nulls_do_not_break_max_properties(adapter: str) -> None:
    variant = next(v for v in VARIANTS if v.label == adapter)
    schema = {
        "type": "object",
        "properties": {"a": {"type": ["string", "null"]}, "b": {"type": "string"}},
        "maxProperties": 1,
    }
    tool = Tool("t", "", schema, strict=True)
    wire = ToolCall("call_1", "t", {"a": None, "b": "x"})  # the model's wire form of {"b": "x"}
    response = Response(variant.name, "m", tool_calls=(wire,), finish_reason="tool_calls")
    decoded = variant.adapter.parse_response(encode(variant, response, tool), request([tool]))
    assert tool.argument_errors(decoded.tool_calls[0].arguments) == []
