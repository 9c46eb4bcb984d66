"""The observations file: what real recordings showed, per provider and model, and what it means
for the matrix.

``fctest matrix observe`` (``_observe``) decodes each recorded interaction with an adapter and
writes one ``Observation`` per interaction: the calls (names, ids, whether the provider sent the
id or the adapter made one up, whether it fits the profile's id rule, how many argument
fragments a stream carried), finish reason, error class, usage, and a snapshot of what the
profile resolved for the model declared (so turning observations into matrix results is a pure
function of the file, whichever fctest later reads it). Interactions no adapter reads are listed
with the reason.

``Observation.results`` gives the ``recorded`` evidence for the matrix: ``tool_call``,
``parallel_calls``, ``streaming``, ``streaming_parallel``, ``errors`` and ``call_ids`` cells,
each citing the file and interaction, with a finding where the recording contradicts the
declaration (the provider sent ids the profile says it never sends, or none where it says it
does; an id that breaks the declared id rule; argument fragments where the profile declares
whole calls).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from ._files import JsonFile, validate
from ._profiles import documented_of, source_of
from ._results import Outcome, Result, ResultsFile, RunInfo

__all__ = [
    "OBSERVATIONS_FORMAT",
    "OBSERVATIONS_VERSION",
    "CallSeen",
    "Declared",
    "ErrorSeen",
    "Observation",
    "ObservationsFile",
    "Skipped",
]

OBSERVATIONS_FORMAT = "fctest-observations"
OBSERVATIONS_VERSION = 1


@dataclass(frozen=True, slots=True)
class CallSeen:
    """One decoded tool call: ``id_sent`` says whether the id is in the recorded bytes (else the
    adapter made it up), ``id_fits`` whether it fits the profile's id rule (``None``: no rule),
    ``fragments`` how many argument pieces a stream carried (``None``: not a stream)."""

    name: str
    id: str
    id_sent: bool
    id_fits: bool | None = None
    fragments: int | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ErrorSeen:
    """The error an interaction decoded into: class, HTTP status (200 for an error inside a
    stream or a body without a recorded status), message."""

    error_class: str
    status: int
    message: str

    @property
    def typed(self) -> bool:
        """Whether the adapter read the error (a ``ProtocolError`` means it could not)."""
        return self.error_class != "ProtocolError"

    def to_json(self) -> dict[str, Any]:
        return {"class": self.error_class, "status": self.status, "message": self.message}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ErrorSeen:
        return cls(data["class"], data["status"], data["message"])


@dataclass(frozen=True, slots=True)
class Declared:
    """What the profile resolved for the model declared, as far as a recording can contradict
    it: the id policy and rule, whether arguments stream in fragments, why an observed
    capability is unsupported (``None``: supported), the sources of those fields, and the
    fields the profile uses an observed value for where the docs say another."""

    tool_call_ids: str
    streams_arguments: bool
    id_rule: Mapping[str, Any] | None = field(default=None, hash=False)
    unsupported: Mapping[str, str | None] = field(default_factory=dict, hash=False)
    sources: Mapping[str, str] = field(default_factory=dict, hash=False)
    documented: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "tool_call_ids": self.tool_call_ids,
            "streams_arguments": self.streams_arguments,
            "id_rule": dict(self.id_rule) if self.id_rule is not None else None,
            "unsupported": dict(self.unsupported),
            "sources": dict(self.sources),
            "documented": dict(self.documented),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Declared:
        return cls(
            tool_call_ids=data["tool_call_ids"],
            streams_arguments=data["streams_arguments"],
            id_rule=data.get("id_rule"),
            unsupported=dict(data.get("unsupported", {})),
            sources=dict(data.get("sources", {})),
            documented=dict(data.get("documented", {})),
        )


@dataclass(frozen=True, slots=True)
class Observation:
    """One recorded interaction as an adapter decoded it (or failed to: ``failure``)."""

    provider: str
    file: str
    interaction: int
    declared: Declared
    model: str | None = None
    served_model: str | None = None
    families: tuple[str, ...] = ()
    endpoint: str | None = None
    date: str | None = None
    status: int = 200
    stream: bool = False
    calls: tuple[CallSeen, ...] = ()
    text: bool = False
    finish_reason: str | None = None
    raw_finish_reason: str | None = None
    error: ErrorSeen | None = None
    usage: Mapping[str, int | None] | None = field(default=None, hash=False)
    failure: str | None = None
    note: str | None = None

    # --- what it means for the matrix --------------------------------------------------------

    def results(self) -> tuple[Result, ...]:
        """The matrix evidence this interaction gives (``recorded``), findings included."""
        if self.failure is not None:
            return (self._result(self._failed_capability(), "fail", reason=self.failure),)
        if self.error is not None:
            outcome: Outcome = "pass" if self.error.typed else "fail"
            reason = None if self.error.typed else f"{self.error.error_class}: {self.error.message}"
            return (self._result("errors", outcome, reason=reason),)
        if not self.calls:
            return ()
        out = [self._result("tool_call", "pass")]
        stream_finding = self._stream_finding() if self.stream else None
        if len(self.calls) > 1:
            parallel = "streaming_parallel" if self.stream else "parallel_calls"
            out.append(self._result(parallel, finding=stream_finding))
        if self.stream:
            out.append(self._result("streaming", finding=stream_finding))
        out.append(self._result("call_ids", finding=self._id_finding()))
        return tuple(out)

    def _failed_capability(self) -> str:
        if self.status >= 400:
            return "errors"
        return "streaming" if self.stream else "tool_call"

    def _result(
        self,
        capability: str,
        outcome: Outcome = "pass",
        *,
        reason: str | None = None,
        finding: str | None = None,
    ) -> Result:
        declared = self.declared
        return Result(
            provider=self.provider,
            capability=capability,
            outcome=outcome,
            test_id=f"observe:{self.file}#{self.interaction}",
            model=self.model or self.served_model,
            reason=reason,
            cassette=self.file,
            provenance=self._provenance(),
            declared=declared.unsupported.get(capability),
            evidence="recorded",
            families=self.families,
            interaction=self.interaction,
            source=source_of(declared.sources, capability),
            documented=documented_of(declared.documented, capability),
            finding=finding,
            note=self.summary(),
        )

    def _provenance(self) -> dict[str, Any]:
        out: dict[str, Any] = {"source": "recorded", "endpoint": self.endpoint, "date": self.date}
        if self.served_model is not None:
            out["model"] = self.served_model
        return out

    def _id_finding(self) -> str | None:
        # The messages name no id, so the same contradiction in many recordings reads as one;
        # each result's note lists the ids it saw.
        policy = self.declared.tool_call_ids
        found = []
        if policy == "generated" and any(c.id_sent for c in self.calls):
            found.append(
                "declared tool_call_ids 'generated' (the provider sends no ids), recorded the "
                "provider's own ids"
            )
        if policy == "provider" and not all(c.id_sent for c in self.calls):
            found.append(
                "declared tool_call_ids 'provider', recorded a call without an id (fctest made "
                "one up)"
            )
        if any(c.id_sent and c.id_fits is False for c in self.calls):
            rule = self.declared.id_rule or {}
            found.append(
                f"recorded ids break the declared id rule {rule.get('pattern')} (max "
                f"{rule.get('max_length')}): replayed to this provider, fctest would remap them"
            )
        return "; ".join(found) or None

    def _stream_finding(self) -> str | None:
        if self.declared.streams_arguments:
            return None
        if not any((c.fragments or 0) > 1 for c in self.calls):
            return None
        return (
            "declared whole calls per chunk (streams_arguments false), recorded a call's "
            "arguments in fragments"
        )

    def summary(self) -> str:
        """One line on what was seen."""
        model = self.served_model or self.model or "model not recorded"
        parts = [f"{'stream' if self.stream else 'HTTP'} {self.status}", model]
        if self.failure is not None:
            parts.append(f"not decoded: {self.failure}")
        elif self.error is not None:
            parts.append(f"{self.error.error_class}: {self.error.message}")
        else:
            parts.append(_calls_text(self.calls))
            parts.append(f"finish {self.raw_finish_reason!r} -> {self.finish_reason!r}")
        if self.usage:
            parts.append(
                f"usage in {self.usage.get('input_tokens')} / out {self.usage.get('output_tokens')}"
            )
        if self.note:
            parts.append(self.note)
        return " · ".join(parts)

    # --- the file ----------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "file": self.file,
            "interaction": self.interaction,
            "model": self.model,
            "served_model": self.served_model,
            "families": list(self.families),
            "endpoint": self.endpoint,
            "date": self.date,
            "status": self.status,
            "stream": self.stream,
            "calls": [c.to_json() for c in self.calls],
            "text": self.text,
            "finish_reason": self.finish_reason,
            "raw_finish_reason": self.raw_finish_reason,
            "error": self.error.to_json() if self.error is not None else None,
            "usage": dict(self.usage) if self.usage is not None else None,
            "failure": self.failure,
            "note": self.note,
            "declared": self.declared.to_json(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Observation:
        error = data.get("error")
        usage = data.get("usage")
        return cls(
            provider=data["provider"],
            file=data["file"],
            interaction=data["interaction"],
            declared=Declared.from_json(data["declared"]),
            model=data.get("model"),
            served_model=data.get("served_model"),
            families=tuple(data.get("families", ())),
            endpoint=data.get("endpoint"),
            date=data.get("date"),
            status=data.get("status", 200),
            stream=data.get("stream", False),
            calls=tuple(CallSeen(**c) for c in data.get("calls", ())),
            text=data.get("text", False),
            finish_reason=data.get("finish_reason"),
            raw_finish_reason=data.get("raw_finish_reason"),
            error=None
            if error is None
            else ErrorSeen(error["class"], error["status"], error["message"]),
            usage=dict(usage) if usage is not None else None,
            failure=data.get("failure"),
            note=data.get("note"),
        )


def _calls_text(calls: tuple[CallSeen, ...]) -> str:
    if not calls:
        return "no calls"
    return f"{len(calls)} call(s): {', '.join(_call_text(c) for c in calls)}"


def _call_text(call: CallSeen) -> str:
    marks = [] if call.id_sent else ["made up"]
    if call.id_fits is False:
        marks.append(f"{len(call.id)} characters, breaks the id rule")
    if call.fragments is not None:
        marks.append(f"{call.fragments} fragment(s)")
    return f"{call.name} {call.id}" + (f" ({', '.join(marks)})" if marks else "")


@dataclass(frozen=True, slots=True)
class Skipped:
    """An interaction (or a whole file: ``interaction`` is ``None``) no adapter read, under a
    label (the adapter a folder suggests, the URL's host, or ``unknown``), and why."""

    file: str
    label: str
    reason: str
    interaction: int | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ObservationsFile(JsonFile):
    """What one ``fctest matrix observe`` run read: observations, and what it skipped."""

    SCHEMA: ClassVar[str] = "observations.schema.json"

    run: RunInfo
    observations: tuple[Observation, ...] = ()
    skipped: tuple[Skipped, ...] = ()

    def results(self) -> ResultsFile:
        """The matrix evidence of every observation, as a results file of this run."""
        found = tuple(r for o in self.observations for r in o.results())
        return ResultsFile(self.run, tuple(sorted(found, key=Result.sort_key)))

    def counts(self) -> dict[str, dict[str, int]]:
        """Per provider (or, for what no adapter read, the label it was filed under): how many
        interactions were decoded, skipped (whole unreadable files count one each) and failed."""
        out: dict[str, dict[str, int]] = {}

        def bump(label: str, what: str) -> None:
            out.setdefault(label, dict.fromkeys(("decoded", "skipped", "failed"), 0))[what] += 1

        for observation in self.observations:
            bump(observation.provider, "decoded" if observation.failure is None else "failed")
        for skipped in self.skipped:
            bump(skipped.label, "skipped")
        return dict(sorted(out.items()))

    def report(self) -> str:
        """The counts per provider, then why things were skipped and what failed."""
        counts = self.counts()
        width = max((len(label) for label in counts), default=8)
        lines = [f"{'provider':<{width}}  decoded  skipped  failed"]
        for label, c in counts.items():
            lines.append(
                f"{label:<{width}}  {c['decoded']:7d}  {c['skipped']:7d}  {c['failed']:6d}"
            )
        reasons: dict[tuple[str, str], int] = {}
        for skipped in self.skipped:
            key = (skipped.label, skipped.reason)
            reasons[key] = reasons.get(key, 0) + 1
        if reasons:
            lines.append(f"skipped ({len(self.skipped)}):")
            for (label, reason), n in sorted(reasons.items()):
                lines.append(f"  {n:3d} {label}: {reason}")
        failed = [o for o in self.observations if o.failure is not None]
        if failed:
            lines.append(f"failed ({len(failed)}):")
            lines += [f"  {o.file}#{o.interaction} ({o.provider}): {o.failure}" for o in failed]
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        return {
            "format": OBSERVATIONS_FORMAT,
            "version": OBSERVATIONS_VERSION,
            "run": self.run.to_json(),
            "observations": [o.to_json() for o in self.observations],
            "skipped": [s.to_json() for s in self.skipped],
        }

    @classmethod
    def from_json(cls, data: Any, *, source: str = "<data>") -> ObservationsFile:
        validate(data, "observations.schema.json", what=source)
        return cls(
            run=RunInfo._from_valid(data["run"]),
            observations=tuple(Observation.from_json(o) for o in data["observations"]),
            skipped=tuple(Skipped(**s) for s in data["skipped"]),
        )
