"""Keyword modes, and the keywords whose mode depends on their value.

A provider takes ``additionalProperties: false`` in strict mode but refuses a schema there, a
one-element ``allOf`` merges away while a real intersection cannot be sent, a ``format`` is
kept only when it is one of a list. One mode per keyword cannot say that; a ``ValueRule`` can:
the first ``ValueCase`` whose test holds for the value gives the mode, else ``otherwise``. The
transformer applies the mode the value gets, and the keyword table probes every case, so what
a profile declares is what the adapter does for each kind of value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

__all__ = ["KeywordMode", "ValueCase", "ValueRule", "ValueTest"]

KeywordMode: TypeAlias = Literal["native", "rewritten", "dropped", "unenforced", "rejected"]
"""What an adapter does with a JSON Schema keyword: send it as is (``native``), rewrite it into
an equivalent form, drop it with a recorded change (fctest then checks it client-side), send it
although the provider is documented not to honour it (``unenforced``: fctest checks it
client-side too), or refuse the tool locally with ``IncompatibleToolError``."""

ValueTest: TypeAlias = Literal["false", "true", "schema", "one_entry", "several_entries", "one_of"]
"""What a ``ValueCase`` tests: the value is ``false``, ``true``, a schema object, a list of one
schema, a list of several, or one of ``ValueCase.values``."""

_LABELS = {
    "false": "false",
    "true": "true",
    "schema": "a schema",
    "one_entry": "one entry",
    "several_entries": "several entries",
}


@dataclass(frozen=True)
class ValueCase:
    """One kind of value and the mode it gets."""

    test: ValueTest
    mode: KeywordMode
    values: frozenset[Any] = frozenset()
    """For ``one_of``: the values that pass."""

    def holds(self, value: Any) -> bool:
        if self.test == "false":
            return value is False
        if self.test == "true":
            return value is True
        if self.test == "schema":
            return isinstance(value, dict)
        if self.test == "one_entry":
            return isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict)
        if self.test == "several_entries":
            return isinstance(value, list) and len(value) > 1
        return _hashable(value) and value in self.values

    @property
    def label(self) -> str:
        """How the matrix names this case (``false``, ``one entry``, ``one of date, email``)."""
        if self.test == "one_of":
            return "one of " + ", ".join(sorted(map(str, self.values)))
        return _LABELS[self.test]


@dataclass(frozen=True)
class ValueRule:
    """A keyword whose mode depends on its value: the first case that holds, else
    ``otherwise`` (labelled ``otherwise_label`` in the matrix)."""

    cases: tuple[ValueCase, ...]
    otherwise: KeywordMode
    otherwise_label: str = "any other value"

    def mode_for(self, value: Any) -> KeywordMode:
        for case in self.cases:
            if case.holds(value):
                return case.mode
        return self.otherwise

    def modes(self) -> frozenset[KeywordMode]:
        """Every mode a value can get."""
        return frozenset({self.otherwise, *(c.mode for c in self.cases)})

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready view for the capability matrix."""
        return {
            "cases": {case.label: case.mode for case in self.cases},
            self.otherwise_label: self.otherwise,
        }


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True
