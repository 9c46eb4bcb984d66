"""Neutral responses for the OpenAI-family encoder tests (``test_openai_encode.py``,
``test_responses_encode.py``), built from the shared pieces in ``_encode_strategies``."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from fctest import Response, ToolCall
from fctest._types import FinishReason

from .._encode_strategies import arguments, optional_text, usages

__all__ = ["neutral_responses"]

_names = st.from_regex(r"[a-zA-Z0-9_-]{1,64}", fullmatch=True)
_call_ids = st.from_regex(r"call_[a-zA-Z0-9]{1,24}", fullmatch=True)
_models = st.sampled_from(["gpt-4o-2024-08-06", "gpt-5.1", "grok-3-mini", "llama-3.3-70b"])


@st.composite
def neutral_responses(
    draw: st.DrawFn,
    *,
    with_calls: Sequence[FinishReason],
    without_calls: Sequence[FinishReason],
    id_prefix: str,
) -> Response:
    """Text and/or 0-5 calls with JSON-object arguments; the finish reasons the wire can say
    (``with_calls`` when there are calls, else ``without_calls``)."""
    calls = draw(
        st.lists(st.tuples(_call_ids, _names, arguments), max_size=5, unique_by=lambda t: t[0])
    )
    text = draw(optional_text)
    reason = draw(st.sampled_from(with_calls if calls else without_calls))
    response_id = draw(
        st.none() | st.from_regex(rf"{id_prefix}[a-zA-Z0-9]{{8,29}}", fullmatch=True)
    )
    return Response(
        provider="test",
        model=draw(_models),
        text=text,
        tool_calls=tuple(ToolCall(i, n, a) for i, n, a in calls),
        finish_reason=reason,
        usage=draw(usages(optional=True)),
        id=response_id,
    )
