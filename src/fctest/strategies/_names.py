"""Tool names and call ids: the awkward forms users and providers make, and a dialect's own.

Private: behind ``fctest.strategies.tool_names`` and ``call_ids``. The wild forms are what
fctest must rename or refuse (dots, slashes, leading digits, Unicode, past every length limit);
a dialect's forms are drawn from its profile's patterns, so an adapter accepts them as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hypothesis import strategies as st

from ..providers import get_adapter
from ._json import ints, regex, text

if TYPE_CHECKING:
    from ..dialect import Profile

__all__ = ["dialect_ids", "dialect_names", "resolved_profile", "wild_ids", "wild_names"]

_NAME_SEGMENT = regex(r"[a-z][a-z0-9_]{0,11}")
_SEPARATORS = st.sampled_from([".", ":", "/", "-", "_", " ", "__"])


@st.composite
def wild_names(draw: st.DrawFn) -> str:
    kind = draw(ints(0, 5))
    if kind == 0:  # the common case: snake_case
        return draw(regex(r"[a-z][a-z0-9_]{0,30}"))
    if kind == 1:  # namespaced: server/tool.name, mcp:server:tool, a.b-c
        parts = draw(st.lists(_NAME_SEGMENT, min_size=2, max_size=4))
        seps = [draw(_SEPARATORS) for _ in parts[1:]]
        return parts[0] + "".join(s + p for s, p in zip(seps, parts[1:], strict=True))
    if kind == 2:  # leading digit
        return draw(regex(r"[0-9][a-zA-Z0-9_.-]{0,20}"))
    if kind == 3:  # any Unicode
        return draw(text(1, 40))
    if kind == 4:  # long: past every provider's limit (64, 128)
        return draw(regex(r"[a-zA-Z_][a-zA-Z0-9_]{60,199}"))
    return draw(
        st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=200)
    )


def dialect_names(dialect: str, model: str | None = None) -> st.SearchStrategy[str]:
    """Names matching the profile's ``tool_name_pattern``, cut to its length limit."""
    profile = resolved_profile(dialect, model)
    limit = profile.tool_name_max_length
    return regex(profile.tool_name_pattern).map(lambda s: s[:limit])


@st.composite
def wild_ids(draw: st.DrawFn) -> str:
    kind = draw(ints(0, 4))
    if kind == 0:  # OpenAI
        return "call_" + draw(regex(r"[A-Za-z0-9]{24}"))
    if kind == 1:  # Anthropic
        return "toolu_01" + draw(regex(r"[A-Za-z0-9]{22}"))
    if kind == 2:  # Bedrock / Mistral style, with characters some providers refuse
        return draw(regex(r"[a-z]{3,8}[_.:][A-Za-z0-9.:_-]{1,20}"))
    if kind == 3:  # long: past OpenAI's 40
        return draw(regex(r"[a-zA-Z0-9_]{41,80}"))
    return draw(text(1, 20))


def dialect_ids(dialect: str, model: str | None = None) -> st.SearchStrategy[str]:
    """Ids matching the profile's ``tool_call_id_pattern``; the wild ones if it has none."""
    pattern = resolved_profile(dialect, model).tool_call_id_pattern
    if pattern is None:
        return wild_ids()
    return regex(pattern).filter(bool)


def resolved_profile(dialect: str, model: str | None) -> Profile:
    """The adapter's profile, resolved for ``model`` when one is given."""
    profile = get_adapter(dialect).profile
    return profile if model is None else profile.for_model(model)
