"""Property 4: streams equal whole responses.

Any answer, written the way the provider streams it (``encode_stream``, argument text cut into
fragments of any size where the provider streams arguments in pieces) and fed to the stream
decoder in chunks cut at arbitrary byte boundaries, decodes to the same calls (ids, names,
arguments, malformed flags), text and finish reason as the same answer sent whole.
"""

from __future__ import annotations

import pytest
from hypothesis import given, reject
from hypothesis import strategies as st

from fctest import Response, ToolCall
from fctest.errors import IncompatibleToolError, UsageError
from fctest.providers import responder_for
from fctest.strategies import call_ids, tool_arguments
from properties._support import IDS, PER_VARIANT, VARIANTS, Variant, any_tool, no_encoder, request


def _calls(response: Response) -> list[tuple[str, str, object, bool]]:
    return [(c.id, c.name, c.arguments, c.malformed) for c in response.tool_calls]


@pytest.mark.parametrize("variant", VARIANTS, ids=IDS)
@PER_VARIANT
@given(data=st.data())
def test_p4_any_chunking_of_a_stream_decodes_like_the_whole_answer(
    variant: Variant, data: st.DataObject
) -> None:
    tool = data.draw(any_tool(), label="tool")
    try:
        variant.fit([tool])
    except IncompatibleToolError:
        reject()
    req = request([tool])
    calls = tuple(
        ToolCall(i, tool.name, data.draw(tool_arguments(tool), label="arguments"))
        for i in data.draw(
            st.lists(call_ids(dialect=variant.name), min_size=1, max_size=3, unique=True)
        )
    )
    text = data.draw(st.none() | st.text(min_size=1, max_size=30), label="text")
    response = Response(variant.name, "m", text=text, tool_calls=calls, finish_reason="tool_calls")
    size = data.draw(st.integers(1, 16), label="fragment_size")
    try:
        events = responder_for(variant.adapter).encode_stream(response, req, fragment_size=size)
        whole = variant.adapter.parse_response(
            responder_for(variant.adapter).encode_response(response, req), req
        )
    except UsageError as exc:
        if no_encoder(exc):
            pytest.skip(f"{variant.label}: {exc}")
        raise
    body = b"".join(events)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(body)), max_size=12), label="cuts"))
    decoder = variant.adapter.stream_decoder(req)
    start = 0
    for cut in [*cuts, len(body)]:
        decoder.feed(body[start:cut])
        start = cut
    streamed = decoder.close()
    assert _calls(streamed) == _calls(whole)
    assert (streamed.text or None) == (whole.text or None)
    assert streamed.finish_reason == whole.finish_reason
