"""A fixed, realistic sample: two CI shards' results files, one observations run, and the
snapshot helper.

Every state appears (pass, fail, unsupported, partial, not_tested), both kinds of drift, a
finding, a documented-vs-observed conflict, columns for provider defaults and for a model
family, every evidence kind (live, recorded, emulated, declared), and a keyword table. Model
families are given, not resolved from the installed profiles, and the run metadata is fixed, so
renderers are byte-for-byte reproducible whatever rules the profiles hold.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fctest.matrix import Matrix, Result, ResultsFile, RunInfo
from fctest.scenarios import SCENARIOS

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"

RUN_A = RunInfo(
    fctest_version="0.1.0",
    git_commit="5e6f5c281825c84b42f6254a42dd3b671c0fb54b",
    date="2025-06-02T09:14:07Z",
    python="CPython 3.12.3",
    options={"fctest_record_mode": "none", "fctest_providers": ["anthropic", "gemini", "openai"]},
)
RUN_B = RunInfo(
    fctest_version="0.1.0",
    git_commit="5e6f5c281825c84b42f6254a42dd3b671c0fb54b",
    date="2025-06-02T09:15:41Z",
    python="CPython 3.12.3",
    options={"fctest_record_mode": "none", "fctest_providers": ["groq", "xai"]},
)

LIVE: dict[str, dict[str, Any]] = {
    "openai": {
        "source": "live",
        "date": "2025-05-14",
        "endpoint": "https://api.openai.com/v1/chat/completions",
    },
    "anthropic": {
        "source": "live",
        "date": "2025-05-20",
        "endpoint": "https://api.anthropic.com/v1/messages",
    },
}
REFERENCE = {"source": "reference-server", "fctest_version": "0.1.0"}
RUN_C = RunInfo(
    fctest_version="0.1.0",
    git_commit="5e6f5c281825c84b42f6254a42dd3b671c0fb54b",
    date="2025-06-02T09:16:02Z",
    python="CPython 3.12.3",
    options={"paths": ["../shared/corpus"], "provider": None},
)

MODELS = {"gemini": "gemini-2.0-flash", "groq": "llama-3.3-70b-versatile"}
FAMILIES: dict[str, tuple[str, ...]] = {"gemini": ("gemini 2.x",)}
# The openai shard recorded its cassettes during the run, against the real API.
EVIDENCE: dict[str, str] = {"openai": "live"}

# (provider, scenario id) -> what differs from "declared supported, passed".
SPECIAL: dict[tuple[str, str], dict[str, Any]] = {
    ("gemini", "parallel_disabled"): {
        "outcome": "unsupported",
        "declared": "parallel tool calls cannot be switched off",
        "reason": "UsageError before sending: parallel tool calls cannot be switched off",
        "source": "no field in FunctionCallingConfig (docs/dialects.md#parallel-gemini)",
    },
    ("anthropic", "single_call"): {
        "documented": {"tool_name_max_length": {"profile": 128, "documented": 64}},
    },
    ("groq", "strict_tools"): {"declared": "strict tools are not offered"},
    ("groq", "tool_choice_required"): {
        "outcome": "fail",
        "reason": "ModelOutputError: 400 tool_use_failed (model output rejected by Groq)",
    },
    ("anthropic", "structured_output"): {
        "outcome": "partial",
        "changes": ("output schema sent as the forced tool 'final_result'",),
    },
    ("xai", "stream_parallel_calls"): {
        "outcome": "fail",
        "reason": "expected 2 calls, decoded 1: the second call's arguments were appended to the first",
    },
    ("xai", "error_429_retry_after"): {
        "outcome": "unsupported",
        "reason": "UsageError: retry-after header not mapped",
    },
    ("openai", "many_tools"): {"outcome": "skipped", "reason": "no cassette recorded"},
}

KEYWORDS: dict[str, dict[str, tuple[str, str | None]]] = {
    # provider -> keyword -> (declared mode, outcome override)
    "openai": {
        "anyOf": ("native", None),
        "const": ("native", None),
        "format": ("native", None),
        "minLength": ("native", None),
        "pattern": ("native", None),
        "$ref": ("native", None),
    },
    "anthropic": {
        "anyOf": ("native", None),
        "const": ("native", None),
        "format": ("native", None),
        "minLength": ("native", None),
        "pattern": ("native", None),
        "$ref": ("native", None),
    },
    "gemini": {
        "anyOf": ("native", None),
        "const": ("rewritten", None),
        "format": ("dropped", None),
        "minLength": ("native", "fail"),
        "pattern": ("rejected", "pass"),
        "$ref": ("rewritten", None),
    },
}
_MODE_OUTCOME = {
    "native": "pass",
    "rewritten": "partial",
    "dropped": "partial",
    "rejected": "unsupported",
}


def _scenario_results(provider: str) -> list[Result]:
    model = MODELS.get(provider)
    out = []
    for scenario in SCENARIOS:
        special = SPECIAL.get((provider, scenario.id), {})
        provenance = LIVE.get(provider, REFERENCE)
        outcome = special.get("outcome", "pass")
        sent = outcome not in ("skipped", "unsupported")
        out.append(
            Result(
                provider=provider,
                capability=scenario.capability,
                outcome=outcome,
                test_id=f"tests/test_conformance.py::test_scenario[{provider}-{scenario.id}]",
                scenario=scenario.id,
                model=model,
                reason=special.get("reason"),
                cassette=f"cassettes/{provider}/{scenario.id}.yaml" if sent else None,
                provenance=provenance if sent else None,
                declared=special.get("declared"),
                changes=special.get("changes", ()),
                evidence=EVIDENCE.get(provider) if sent else None,  # type: ignore[arg-type]
                families=FAMILIES.get(provider, ()),
                source=special.get("source"),
                documented=special.get("documented"),
            )
        )
    return out


def _keyword_results(provider: str) -> list[Result]:
    out = []
    for keyword, (mode, override) in KEYWORDS.get(provider, {}).items():
        outcome = override or _MODE_OUTCOME[mode]
        reason = None
        changes: tuple[str, ...] = ()
        if outcome == "fail":
            reason = "Falsifying example: minLength 3 not enforced on the returned arguments"
        elif mode == "rewritten":
            changes = (f"{keyword} rewritten to an equivalent form",)
        elif mode == "dropped":
            changes = (f"{keyword} dropped; checked client-side",)
        elif mode == "rejected":
            reason = f"IncompatibleToolError: {keyword} is not accepted"
        out.append(
            Result(
                provider=provider,
                capability=f"keyword:{keyword}",
                outcome=outcome,  # type: ignore[arg-type]
                test_id=f"tests/test_keywords.py::test_keyword[{provider}-{keyword}]",
                declared=mode,
                reason=reason,
                changes=changes,
                families=(),
                source=f"{provider} profile keywords.{keyword} (docs/dialects.md#schema-gemini-json)"
                if provider == "gemini"
                else None,
            )
        )
    return out


def shard_a() -> ResultsFile:
    results = [
        *_scenario_results("anthropic"),
        *_scenario_results("gemini"),
        *_scenario_results("openai"),
    ]
    return ResultsFile(RUN_A, tuple(results))


def shard_b() -> ResultsFile:
    results = [
        *_scenario_results("groq"),
        *_scenario_results("xai"),
        *_keyword_results("openai"),
        *_keyword_results("anthropic"),
        *_keyword_results("gemini"),
    ]
    return ResultsFile(RUN_B, tuple(results))


CORPUS_FILE = "../shared/corpus/pydantic__pydantic-ai/gemini/test_google_tool_output.yaml"
GEMINI_3_FILE = "../shared/corpus/Arize-ai__openinference/gemini/test_streaming_tool_calls.yaml"
RECORDED = {"source": "recorded", "endpoint": "https://example.test/v1", "date": "2025-05-30"}


def _recorded(provider: str, capability: str, file: str, **fields: Any) -> Result:
    interaction = fields.pop("interaction", 0)
    return Result(
        provider=provider,
        capability=capability,
        outcome=fields.pop("outcome", "pass"),
        test_id=f"observe:{file}#{interaction}",
        cassette=file,
        interaction=interaction,
        provenance=RECORDED,
        evidence="recorded",
        **fields,
    )


def shard_c() -> ResultsFile:
    """What ``fctest matrix observe`` gives for a few real recordings (as results)."""
    finding = (
        "declared tool_call_ids 'generated' (the provider sends no ids), recorded the "
        "provider's own ids"
    )
    results = (
        _recorded(
            "gemini",
            "tool_call",
            CORPUS_FILE,
            model="gemini-2.0-flash",
            families=FAMILIES["gemini"],
        ),
        _recorded(
            "gemini", "call_ids", CORPUS_FILE, model="gemini-2.0-flash", families=FAMILIES["gemini"]
        ),
        _recorded(
            "gemini", "tool_call", GEMINI_3_FILE, model="gemini-3.5-flash", families=("gemini 3",)
        ),
        _recorded(
            "gemini",
            "call_ids",
            GEMINI_3_FILE,
            model="gemini-3.5-flash",
            families=("gemini 3",),
            finding=finding,
            source="functionCall.id is optional (docs/dialects.md#ids-gemini)",
        ),
        _recorded(
            "groq",
            "parallel_calls",
            CORPUS_FILE.replace("gemini", "groq"),
            model="llama-3.3-70b-versatile",
            families=(),
            interaction=1,
        ),
    )
    return ResultsFile(RUN_C, results)


SAMPLE_COLUMNS = [
    "anthropic · provider defaults",
    "gemini · gemini 2.x",
    "gemini · gemini 3",
    "groq · provider defaults",
    "openai · provider defaults",
    "xai · provider defaults",
]
"""The sample's capability-table columns, in order."""


def sample_matrix() -> Matrix:
    return Matrix.from_results(shard_a(), shard_b(), shard_c())


def small_matrix() -> Matrix:
    """A few cells covering every state, drift and a keyword: for the bulky snapshots."""
    keep = {
        ("openai", "single_call"),
        ("openai", "many_tools"),
        ("gemini", "parallel_disabled"),
        ("groq", "tool_choice_required"),
        ("groq", "strict_tools"),
        ("anthropic", "structured_output"),
    }
    results = [
        r
        for r in (*shard_a().results, *shard_b().results)
        if (r.provider, r.scenario) in keep
        or (r.provider == "gemini" and r.capability in ("keyword:pattern", "keyword:const"))
    ]
    recorded = [r for r in shard_c().results if r.capability == "call_ids"]
    return Matrix(runs=(RUN_A, RUN_B, RUN_C), results=(*results, *recorded))


def assert_snapshot(name: str, text: str) -> None:
    """Compare ``text`` with ``snapshots/<name>``; ``FCTEST_UPDATE_SNAPSHOTS=1`` rewrites it."""
    path = SNAPSHOTS / name
    if os.environ.get("FCTEST_UPDATE_SNAPSHOTS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
        return
    assert path.exists(), f"no snapshot {path}; run with FCTEST_UPDATE_SNAPSHOTS=1 to create it"
    with path.open(encoding="utf-8", newline="") as file:
        expected = file.read()
    assert text == expected, (
        f"{name} differs from its snapshot; FCTEST_UPDATE_SNAPSHOTS=1 to accept"
    )
