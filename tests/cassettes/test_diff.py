"""The one JSON diff: drift messages and the reference server's 404 name the same pointers."""

from __future__ import annotations

from fctest._cassettes._diff import diff_json


def test_diff_names_every_changed_json_path() -> None:
    recorded = {"tools": [{"name": "a", "strict": True}], "t": 0, "x~/y": 1}
    now = {"tools": [{"name": "a"}, {"name": "b"}], "t": 0.0, "x~/y": 2}
    assert [d.describe() for d in diff_json(recorded, now)] == [
        "/tools/0/strict: recorded true, now absent",
        '/tools/1: recorded absent, now {"name": "b"}',
        "/t: recorded 0, now 0.0",
        "/x~0~1y: recorded 1, now 2",
    ]
    assert diff_json({"a": [1]}, {"a": [1]}) == []


def test_sorted_keys_and_a_limit_walk_the_same_diff() -> None:
    recorded = {"b": 1, "a/b": [1, 2], "c": {"x": 1}}
    now = {"c": {"x": 2}, "a/b": [1], "b": 1, "d": None}
    assert [d.path for d in diff_json(recorded, now)] == ["/a~1b/1", "/c/x", "/d"]
    assert [d.path for d in diff_json(recorded, now, sort_keys=True)] == ["/a~1b/1", "/c/x", "/d"]
    assert [d.path for d in diff_json({"z": 1, "y": 1}, {}, sort_keys=True)] == ["/y", "/z"]
    assert [d.path for d in diff_json({"z": 1, "y": 1}, {})] == ["/z", "/y"]
    assert [d.path for d in diff_json(recorded, now, limit=2)] == ["/a~1b/1", "/c/x"]
    assert [d.path for d in diff_json(1, 1.0)] == [""]  # the whole value, types differ
