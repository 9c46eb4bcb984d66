"""SSE and line framing: the same events however the bytes are split, in linear time."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from fctest import _sse
from fctest._sse import LineBuffer, SSEDecoder, SSEEvent

# Every framing feature at once: CRLF and LF line ends, CRLFCRLF between events (Gemini),
# comments (OpenRouter), event names (Anthropic), ids, retry lines, multi-line data, multi-byte
# UTF-8 (2, 3 and 4 bytes), a field without a colon, no space after the colon, and a last event
# with no blank line after it.
SAMPLE = (
    b": OPENROUTER PROCESSING\n\n"
    b"event: message_start\n"
    b'data: {"type":"message_start"}\n\n'
    b'data: {"text":"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"}\r\n\r\n'
    b"data: line one\n"
    b"data: line two\n"
    b"id: 42\n"
    b"retry: 1000\n\n"
    b": keep-alive\r\n"
    b"event:ping\r\n"
    b"data:no-space\r\n\r\n"
    b"data\n\n"
    b"data: [DONE]"
)
EXPECTED = [
    SSEEvent("message_start", '{"type":"message_start"}'),
    SSEEvent("message", '{"text":"café € 😀"}'),
    SSEEvent("message", "line one\nline two", "42"),
    SSEEvent("ping", "no-space", "42"),  # the last event id persists (WHATWG)
    SSEEvent("message", "", "42"),
    SSEEvent("message", "[DONE]", "42"),
]


def _decode(chunks: list[bytes]) -> list[SSEEvent]:
    decoder = SSEDecoder()
    events: list[SSEEvent] = []
    for chunk in chunks:
        events.extend(decoder.feed(chunk))
    events.extend(decoder.close())
    return events


def _lines(chunks: list[bytes]) -> list[bytes]:
    buffer = LineBuffer()
    lines: list[bytes] = []
    for chunk in chunks:
        lines.extend(buffer.feed(chunk))
    lines.extend(buffer.close())
    return lines


def test_sample_in_one_piece() -> None:
    assert _decode([SAMPLE]) == EXPECTED


def test_sample_split_at_every_byte_boundary() -> None:
    for i in range(len(SAMPLE) + 1):
        assert _decode([SAMPLE[:i], SAMPLE[i:]]) == EXPECTED, i


def test_sample_split_at_every_pair_of_boundaries() -> None:
    n = len(SAMPLE)
    for i in range(0, n + 1, 3):
        for j in range(i, n + 1, 5):
            assert _decode([SAMPLE[:i], SAMPLE[i:j], SAMPLE[j:]]) == EXPECTED, (i, j)


def test_sample_one_byte_at_a_time() -> None:
    assert _decode([SAMPLE[i : i + 1] for i in range(len(SAMPLE))]) == EXPECTED


def test_final_blank_line_is_optional() -> None:
    assert _decode([b"data: a\n\ndata: b\n"]) == [
        SSEEvent("message", "a"),
        SSEEvent("message", "b"),
    ]
    assert _decode([b"data: a\n\ndata: b\n\n"]) == [
        SSEEvent("message", "a"),
        SSEEvent("message", "b"),
    ]


def test_events_are_handed_out_as_soon_as_complete() -> None:
    d = SSEDecoder()
    assert d.feed(b"data: a\n") == []
    assert d.feed(b"\n") == [SSEEvent("message", "a")]
    assert d.feed(b"data: b\r\n\r") == []  # the CR alone does not end the line
    assert d.feed(b"\n") == [SSEEvent("message", "b")]
    assert d.close() == []


def test_comments_only_stream_has_no_events() -> None:
    assert _decode([b": OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\n"]) == []
    assert _decode([b""]) == []


def test_only_one_leading_space_is_removed() -> None:
    assert _decode([b"data:  two spaces\n\n"]) == [SSEEvent("message", " two spaces")]


def test_event_without_data_is_not_dispatched() -> None:
    # WHATWG "dispatch the event": an empty data buffer dispatches nothing (an adapter would
    # otherwise get data "" and fail to parse it as JSON).
    assert _decode([b"event: ping\n\ndata: x\n\n"]) == [SSEEvent("message", "x")]
    assert _decode([b"event: ping\n"]) == []


def test_event_name_does_not_leak_into_the_next_event() -> None:
    assert _decode([b"event: a\ndata: 1\n\ndata: 2\n\n"]) == [
        SSEEvent("a", "1"),
        SSEEvent("message", "2"),
    ]


def test_invalid_utf8_is_replaced_not_fatal() -> None:
    # WHATWG: the stream is decoded as UTF-8 with replacement characters.
    assert _decode([b"data: ok \xff\xfe\n\n"]) == [SSEEvent("message", "ok \ufffd\ufffd")]


def test_line_buffer_line_ends() -> None:
    assert _lines([b"a\nb\r\nc\r\n\r\nd"]) == [b"a", b"b", b"c", b"", b"d"]
    assert _lines([b"a\r", b"\nb"]) == [b"a", b"b"]
    assert _lines([b"tail\r"]) == [b"tail"]
    assert _lines([b"", b"x", b"", b"\n"]) == [b"x"]
    buffer = LineBuffer()
    assert buffer.feed(b"no newline yet") == []
    assert buffer.close() == [b"no newline yet"]
    assert buffer.close() == []


@given(
    st.lists(st.integers(min_value=0, max_value=len(SAMPLE)), max_size=12).map(sorted),
)
def test_any_chunking_gives_the_same_events(cuts: list[int]) -> None:
    bounds = [0, *cuts, len(SAMPLE)]
    chunks = [SAMPLE[a:b] for a, b in pairwise(bounds)]
    assert _decode(chunks) == EXPECTED


_LINE = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n"),
    max_size=20,
)


@given(
    st.lists(_LINE, max_size=8),
    st.sampled_from([b"\n", b"\r\n"]),
    st.data(),
)
def test_line_buffer_any_lines_any_chunking(
    lines: list[str], end: bytes, data: st.DataObject
) -> None:
    raw = b"".join(line.encode() + end for line in lines)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(raw)), max_size=10)))
    bounds = [0, *cuts, len(raw)]
    assert _lines([raw[a:b] for a, b in pairwise(bounds)]) == [line.encode() for line in lines]


# --- linear time ------------------------------------------------------------------------------


def test_a_megabyte_in_seven_byte_pieces() -> None:
    # 1 MB of OpenAI-style argument deltas: completes, and every event comes out.
    event = b'data: {"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"xx"}}]}}]}\n\n'
    stream = event * (1_000_000 // len(event))
    decoder = SSEDecoder()
    n = 0
    for i in range(0, len(stream), 7):
        n += len(decoder.feed(stream[i : i + 7]))
    n += len(decoder.close())
    assert n == len(stream) // len(event)


def test_pending_pieces_are_kept_not_rejoined() -> None:
    # Structural linearity check (no timing): until a newline arrives, feed() keeps the very
    # chunk objects it was given, so no byte is copied twice however small the pieces are; the
    # line is joined once when its newline arrives.
    buffer = LineBuffer()
    chunks = [bytes([65 + i % 26]) * 7 for i in range(20_000)]  # a 140 kB line, 7-byte pieces
    for chunk in chunks:
        assert buffer.feed(chunk) == []
    assert len(buffer._pending) == len(chunks)
    assert all(kept is given for kept, given in zip(buffer._pending, chunks, strict=True))
    assert buffer.feed(b"\nnext") == [b"".join(chunks)]
    assert buffer._pending == [b"next"]


def test_data_lines_are_joined_once_per_event() -> None:
    decoder = SSEDecoder()
    for i in range(1000):
        assert decoder.feed(b"data: %d\n" % i) == []
    assert len(decoder._data) == 1000
    assert decoder.feed(b"\n") == [SSEEvent("message", "\n".join(str(i) for i in range(1000)))]


def test_module_exports() -> None:
    assert sorted(_sse.__all__) == ["LineBuffer", "SSEDecoder", "SSEEvent"]
