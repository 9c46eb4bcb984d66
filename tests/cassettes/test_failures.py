"""The messages a cassette fails a test with: what happened, where, and what to run.
How pytest shows them: tests/pytest_plugin/test_plugin.py."""

from __future__ import annotations

from fctest._cassettes._failures import Where, drift, missing, unplayed
from fctest.errors import CassetteMissing, RequestDrift, UnplayedInteractions

WHERE = Where("cassettes/openai/t.yaml", "/abs/cassettes/openai/t.yaml", "tests/test_x.py::t")
URL = "https://api.openai.com/v1/chat/completions"


def test_missing_says_how_to_record() -> None:
    error = missing(WHERE, "openai", ("OPENAI_API_KEY",))
    assert isinstance(error, CassetteMissing)
    assert error.path == WHERE.path
    assert str(error) == (
        "no cassette at cassettes/openai/t.yaml, and record mode 'none' never records.\n"
        "Record it against the real API (OPENAI_API_KEY set):\n"
        "    pytest 'tests/test_x.py::t' --fctest-record-mode=once\n"
        "or against the reference server (`fctest serve`) or any compatible server:\n"
        "    pytest 'tests/test_x.py::t' --fctest-record-mode=once "
        "--fctest-base-url openai=http://127.0.0.1:PORT/..."
    )
    assert "(the provider's key set)" in str(missing(WHERE, "openai", ()))


def test_drift_names_the_nearest_recording_and_every_changed_path() -> None:
    key = ("POST", URL, "b")
    recorded = [
        (0, ("POST", URL + "/other", "x"), {"model": "a", "n": 1}),  # another route: far
        (1, ("POST", URL, "y"), {"model": "b", "n": 3, "tools": []}),
        (2, ("POST", URL, "z"), {"model": "b", "n": 2}),
    ]
    error = drift(WHERE, key, {"model": "a", "n": 1}, recorded)
    assert isinstance(error, RequestDrift)
    assert error.paths == ("/model", "/n")
    assert str(error).splitlines() == [
        f"request drift: POST {URL} matches no unplayed interaction in "
        "cassettes/openai/t.yaml (3 recorded).",
        "Nearest recorded request #2: 2 differ:",
        '  /model: recorded "b", now "a"',
        "  /n: recorded 2, now 1",
        "Other recorded requests: #1 (3 differ), #0 (1 differ)",
        "If the change is intended, record the cassette again: pytest 'tests/test_x.py::t' "
        "--fctest-record-mode=all (with --fctest-base-url for a server).",
    ]


def test_drift_of_a_request_already_played() -> None:
    key = ("POST", URL, "b")
    error = drift(WHERE, key, {"n": 1}, [(0, key, {"n": 1})])
    assert error.paths == ()
    assert "It equals recorded interaction #0, which was already played" in str(error)


def test_unplayed_lists_what_was_never_asked_for() -> None:
    one = unplayed(WHERE, [(1, "POST", URL)], 2)
    assert isinstance(one, UnplayedInteractions)
    assert (one.path, one.indexes) == (WHERE.path, (1,))
    assert str(one) == (
        "1 of 2 recorded interactions in cassettes/openai/t.yaml was never requested: the code "
        "now sends fewer requests than when the cassette was recorded.\n"
        f"  #1 POST {URL}\n"
        "If that is intended, record it again: pytest 'tests/test_x.py::t' "
        "--fctest-record-mode=all"
    )
    many = unplayed(WHERE, [(i, "POST", URL) for i in range(12)], 12)
    assert many.indexes == tuple(range(12))
    assert "12 of 12 recorded interactions in cassettes/openai/t.yaml were never" in str(many)
    assert "  #9 POST" in str(many)
    assert "  #10 POST" not in str(many)
    assert "\n  ... and 2 more\n" in str(many)
