"""The profile-driven transformer: a profile's keyword modes applied to every schema node.

A provider's dialect subclasses ``DialectTransformer`` only for what data cannot say: how a
keyword its profile marks ``rewritten`` is rewritten (``rewrite_keyword``, usually one of the
named rewrites in ``_rewrites``) and what strict mode adds to a node (``strict_node``). The
reason recorded for a dropped or refused keyword is the profile's ``sources["keywords.<kw>"]``
entry, so each change cites where its rule comes from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._walker import SchemaChange, SchemaTransformer

if TYPE_CHECKING:
    from .._types import JSONObject
    from ._profile import Profile

__all__ = ["DialectTransformer"]


class DialectTransformer(SchemaTransformer):
    """Applies ``profile``'s keyword modes (strict or not) to every node of one schema."""

    def __init__(
        self, schema: JSONObject, *, tool: str, provider: str, profile: Profile, strict: bool
    ) -> None:
        super().__init__(schema, tool=tool, provider=provider)
        self.profile = profile
        self.strict = strict
        self.nullable_optionals = False
        """Set by ``make_strict`` when optional properties were sent required-and-nullable."""

    def reason(self, keyword: str) -> str:
        mode = "strict" if self.strict else "non-strict"
        source = self.profile.sources.get(f"keywords.{keyword}") or self.profile.sources.get(
            "keywords", "the adapter's profile"
        )
        return f"{keyword!r} is not accepted by {self.provider} in {mode} mode ({source})"

    def unenforced(self, keyword: str) -> str:
        source = self.profile.sources.get(f"keywords.{keyword}") or self.profile.sources.get(
            "keywords", "the adapter's profile"
        )
        return (
            f"{keyword!r} is sent, but {self.provider} does not enforce it; checked on the "
            f"client ({source})"
        )

    def transform(self, node: JSONObject, pointer: str) -> JSONObject:
        out: JSONObject = {}
        for keyword, value in node.items():
            mode = self.profile.keyword_mode(keyword, strict=self.strict, value=value)
            if mode == "native":
                out[keyword] = value
            elif mode == "unenforced":
                out[keyword] = value
                self.changes.append(
                    SchemaChange(pointer, keyword, "unenforced", self.unenforced(keyword))
                )
            elif mode == "dropped":
                self.drop(pointer, keyword, self.reason(keyword))
            elif mode == "rejected":
                self.reject(f"{pointer}/{keyword}", self.reason(keyword))
            else:
                out.update(self.rewrite_keyword(keyword, value, node, pointer))
        return self.strict_node(out, pointer) if self.strict else out

    def rewrite_keyword(
        self, keyword: str, value: Any, node: JSONObject, pointer: str
    ) -> JSONObject:
        """Keys to put in place of ``keyword`` (record the change with ``rewrite``)."""
        self.reject(f"{pointer}/{keyword}", f"no rewrite is defined for {keyword!r}")

    def strict_node(self, node: JSONObject, pointer: str) -> JSONObject:
        """What strict mode requires of a node. Default: nothing."""
        return node
