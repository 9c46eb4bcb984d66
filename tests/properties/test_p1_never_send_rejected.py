"""Property 1: never send what the provider rejects.

For any generated tool, ``build_request`` either produces declarations that satisfy the
provider's documented rules (the profile: name pattern and length, no keyword the profile marks
``rejected`` left in the sent schema, the fitted schema sent as fitted) and the official SDK's
request types, or raises ``IncompatibleToolError`` naming the provider, the tool and a JSON
pointer into the tool's schema. Nothing in between: any other exception fails the test.
"""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given

from fctest import Tool
from fctest.errors import IncompatibleToolError
from properties._support import (
    IDS,
    PER_VARIANT,
    VARIANTS,
    Variant,
    any_tool,
    nodes,
    request,
    resolves,
    walk,
)


@pytest.mark.parametrize("variant", VARIANTS, ids=IDS)
@PER_VARIANT
@given(tool=any_tool())
def test_p1_declared_or_refused(variant: Variant, tool: Tool) -> None:
    try:
        http = variant.adapter.build_request(request([tool]), variant.config)
    except IncompatibleToolError as exc:
        refused = exc
    else:
        refused = None
    if refused is not None:
        assert refused.provider == variant.name
        assert refused.tool == tool.name
        assert resolves(tool.parameters, refused.pointer), refused.pointer
        return
    body = json.loads(http.body)
    assert variant.sdk_problems(body) == []
    family = variant.need_family()
    declared = [d for _, d in walk(body, family.declarations)]
    assert len(declared) == 1
    profile = variant.profile
    name = declared[0][family.name[0]]
    assert re.fullmatch(profile.tool_name_pattern, name), name
    assert len(name) <= profile.tool_name_max_length
    (fitted,) = variant.fit([tool])
    assert name == fitted.name
    sent = declared[0].get(family.parameters[0])
    if sent is None:  # left out: only for a provider that allows it, and only when empty
        assert not profile.requires_parameters
        assert not fitted.parameters.get("properties")
        return
    assert sent == fitted.parameters
    for pointer, node in nodes(sent):
        for keyword in node:
            mode = profile.keyword_mode(keyword, strict=fitted.strict, value=node[keyword])
            assert mode != "rejected", f"{keyword!r} sent at {pointer or '/'}"
