"""Tool-call ids moved between providers: a deterministic remapping to each provider's id rule.

A conversation held in the neutral model carries the ids of whichever provider produced each
call: OpenAI ``call_...`` (29 chars), Anthropic ``toolu_...``, Bedrock ``tooluse_...`` (may hold
``.``/``:``), ids fctest made up for Gemini. Replayed to a provider with a stricter rule they are
rejected: Anthropic ``messages.N.content.M.tool_use.id: String should match pattern
'^[a-zA-Z0-9_-]+$'``, Mistral ``Tool call id was ... but must be a-z, A-Z, 0-9, with a length of
9`` (docs/dialects.md#ids-anthropic, docs/dialects.md#ids-mistral).

``IdMapper`` gives each call id its wire form once per request and hands the *same* form to the
call's result, so the pairing survives. The mapping is a pure function of the conversation:
an id that already fits is kept, any other becomes a readable, sanitised prefix plus a hash of
the original (or only the hash, for fixed-length rules), so the same history always gives the
same bytes. A collision (two originals that clean to the same form, or an id reused in a later
turn) is resolved by re-hashing with a counter. Nothing here knows a provider: each profile holds
its ``IdRule``.
"""

from __future__ import annotations

import hashlib
import re
import string
from dataclasses import dataclass, field

__all__ = ["IdMapper", "IdRule", "fit_id"]

_B62 = string.digits + string.ascii_letters


@dataclass(frozen=True, slots=True)
class IdRule:
    """What a provider accepts as a tool-call id.

    ``pattern``: a regex the whole id must match. ``length``: an exact length (Mistral: 9);
    the remapped id is then a hash only. ``max_length``: longest accepted id (``None``: no
    limit). ``charset``: the characters a sanitised id may keep (others become ``_`` when
    ``_`` is allowed, and are removed otherwise).
    """

    pattern: str
    length: int | None = None
    max_length: int | None = 64
    charset: str = string.ascii_letters + string.digits + "_-"
    _compiled: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", re.compile(self.pattern))

    def as_dict(self) -> dict[str, object]:
        """JSON-ready view for the capability matrix."""
        return {"pattern": self.pattern, "length": self.length, "max_length": self.max_length}

    def accepts(self, value: str) -> bool:
        if self.length is not None and len(value) != self.length:
            return False
        if self.max_length is not None and len(value) > self.max_length:
            return False
        return self._compiled.fullmatch(value) is not None


def _digest(text: str) -> str:
    """sha256 of ``text`` in base 62 (43 characters, only ``[0-9A-Za-z]``)."""
    n = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest(), "big")
    out = []
    while n:
        n, r = divmod(n, 62)
        out.append(_B62[r])
    return "".join(reversed(out)).rjust(43, "0")


def fit_id(original: str, rule: IdRule, *, salt: int = 0) -> str:
    """``original`` if ``rule`` accepts it (and ``salt`` is 0), else its deterministic remap.

    Raises ``ValueError`` when the rule cannot be met by a sanitised prefix plus a hash (a rule
    that demands a fixed prefix, say); adapters turn that into a ``UsageError``.
    """
    if salt == 0 and rule.accepts(original):
        return original
    digest = _digest(f"{salt}\x00{original}" if salt else original)
    digest = "".join(c for c in digest if c in rule.charset) or digest
    if rule.length is not None:
        candidate = digest[: rule.length]
    else:
        sep = "_" if "_" in rule.charset else ""
        clean = "".join(c if c in rule.charset else sep for c in original).strip("_")
        limit = rule.max_length or 64
        tail = digest[:10]
        room = limit - len(tail) - len(sep)
        candidate = f"{clean[:room]}{sep}{tail}" if clean and room > 0 else digest[:limit]
    if not rule.accepts(candidate):
        raise ValueError(f"cannot remap tool-call id {original!r} to match {rule.pattern}")
    return candidate


class IdMapper:
    """One request's id mapping: ``assign`` for each call (in conversation order), ``lookup``
    for each result, which gets the form its call was given (docs/dialects.md#ids). Without a
    rule every id is sent as it is."""

    __slots__ = ("_current", "_used", "rule")

    def __init__(self, rule: IdRule | None) -> None:
        self.rule = rule
        self._current: dict[str, str] = {}
        self._used: set[str] = set()

    def assign(self, original: str) -> str:
        """The wire id for a call; a later call reusing an id gets a fresh one."""
        if self.rule is None:
            return original
        rule = self.rule
        candidate = fit_id(original, rule)
        salt = 0
        while candidate in self._used:
            salt += 1
            candidate = fit_id(original, rule, salt=salt)
        self._used.add(candidate)
        self._current[original] = candidate
        return candidate

    def lookup(self, original: str) -> str:
        """The wire id of the latest call with this id (a result's ``tool_use_id``)."""
        found = self._current.get(original)
        return found if found is not None else self.assign(original)
