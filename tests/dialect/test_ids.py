"""Tool-call id remapping between providers (docs/dialects.md#ids): deterministic,
collision-free, and the same for a call and its result."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fctest.dialect import IdMapper, IdRule, fit_id

ANTHROPIC = IdRule(r"^[a-zA-Z0-9_-]+$", max_length=None)
MISTRAL = IdRule(
    r"^[a-zA-Z0-9]{9}$",
    length=9,
    charset="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
)


def test_ids_that_fit_are_kept() -> None:
    for original in ("toolu_01YGzqpRE16Vricda3Aqcejo", "call_abc-123", "fc_1"):
        assert fit_id(original, ANTHROPIC) == original
    assert fit_id("KikbB849t", MISTRAL) == "KikbB849t"


@pytest.mark.parametrize(
    "original",
    ["tooluse_abc.def:1", "", "call 1", "über/ñ", "x" * 300, "call_8bYzK2Jd9Lm3Nq4Rs5Tu6Vw7"],
)
def test_foreign_ids_are_remapped_to_the_rule(original: str) -> None:
    for rule in (ANTHROPIC, MISTRAL):
        mapped = fit_id(original, rule)
        assert rule.accepts(mapped), (original, mapped)
        assert fit_id(original, rule) == mapped  # deterministic
    if original == "tooluse_abc.def:1":
        # Readable: the sanitised original is kept as a prefix.
        assert fit_id(original, ANTHROPIC).startswith("tooluse_abc_def_1_")


def test_mistral_gets_nine_alphanumerics() -> None:
    mapped = fit_id("call_8bYzK2Jd9Lm3Nq4Rs5Tu6Vw7", MISTRAL)
    assert re.fullmatch(r"[a-zA-Z0-9]{9}", mapped)


def test_mapper_gives_a_result_the_form_of_its_call() -> None:
    ids = IdMapper(ANTHROPIC)
    call = ids.assign("tooluse_x.1")
    assert ids.lookup("tooluse_x.1") == call
    assert ANTHROPIC.accepts(call)


def test_ids_that_clean_to_the_same_form_stay_distinct() -> None:
    ids = IdMapper(ANTHROPIC)
    a, b = ids.assign("a.b"), ids.assign("a:b")
    assert a != b
    assert ids.lookup("a.b") == a
    assert ids.lookup("a:b") == b


def test_an_id_reused_in_a_later_turn_gets_a_fresh_form() -> None:
    ids = IdMapper(ANTHROPIC)
    first = ids.assign("call_1")
    assert first == "call_1"
    assert ids.lookup("call_1") == "call_1"
    second = ids.assign("call_1")  # the same id in a later assistant turn
    assert second != first
    assert ids.lookup("call_1") == second  # its result pairs with the later call


def test_mapping_is_a_function_of_the_conversation() -> None:
    originals = ["call.1", "", "toolu_ok", "call.1", "x:y"]
    runs = []
    for _ in range(2):
        ids = IdMapper(ANTHROPIC)
        runs.append([ids.assign(o) for o in originals])
    assert runs[0] == runs[1]
    assert len(set(runs[0])) == len(originals)


@given(st.lists(st.text(max_size=40), min_size=1, max_size=12))
def test_property_every_assigned_id_fits_and_is_unique(originals: list[str]) -> None:
    for rule in (ANTHROPIC, MISTRAL):
        ids = IdMapper(rule)
        assigned = [ids.assign(o) for o in originals]
        assert all(rule.accepts(a) for a in assigned)
        assert len(set(assigned)) == len(assigned)
