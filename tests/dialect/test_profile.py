"""Profiles are values: equal profiles hash alike (a fitting is reused for an equal one), the id
rule is declared once, strictness resolves from data, and the JSON view holds every field."""

from __future__ import annotations

import json

import pytest

from fctest.dialect import DialectTransformer, IdRule, Profile
from fctest.providers import adapter_names, get_adapter


def test_equal_profiles_hash_alike_and_others_do_not() -> None:
    a = Profile(keywords={"format": "dropped"}, env={"api_key": ("K",)})
    b = Profile(keywords={"format": "dropped"}, env={"api_key": ("K",)})
    assert a == b
    assert hash(a) == hash(b)
    assert {a: 1}[b] == 1
    assert a != a.evolve(max_tools=3)
    assert a.evolve() == a


def test_every_builtin_profile_is_hashable_and_its_view_is_json() -> None:
    for name in adapter_names():
        profile = get_adapter(name).profile
        hash(profile)
        view = profile.as_dict()
        assert json.loads(json.dumps(view)) == view
        assert view["transformer"].endswith(profile.transformer.__qualname__)


def test_the_id_rule_is_the_one_place_the_id_pattern_comes_from() -> None:
    assert Profile().tool_call_id_pattern is None
    p = Profile(id_rule=IdRule(r"^[a-z]{9}$", length=9))
    assert p.tool_call_id_pattern == r"^[a-z]{9}$"
    assert p.as_dict()["id_rule"] == {"pattern": r"^[a-z]{9}$", "length": 9, "max_length": 64}
    assert p.as_dict()["tool_call_id_pattern"] == r"^[a-z]{9}$"


@pytest.mark.parametrize(
    ("mode", "default", "requested", "expected"),
    [
        ("per_tool", False, None, False),
        ("per_tool", True, None, True),
        ("per_tool", False, True, True),
        ("per_tool", True, False, False),
        ("request", False, True, True),
        ("always", False, False, True),
        ("always", False, None, True),
        ("none", False, None, False),
        ("none", False, False, False),
        ("none", False, True, None),
    ],
)
def test_strict_for(
    mode: str, default: bool, requested: bool | None, expected: bool | None
) -> None:
    profile = Profile(strict_mode=mode, strict_default=default)  # type: ignore[arg-type]
    assert profile.strict_for(requested) is expected


def test_the_default_transformer_applies_only_keyword_modes() -> None:
    assert Profile().transformer is DialectTransformer
    assert Profile().max_tokens_field == "max_tokens"
    assert Profile().retry_headers == ("retry-after",)
