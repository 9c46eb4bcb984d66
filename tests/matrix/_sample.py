"""A fixed, realistic sample: two CI shards' results files, and the snapshot helper.

Every state appears (pass, fail, unsupported, partial, not_tested), both kinds of drift, rows with
and without a model, live and reference-server provenance, and a keyword table. The run metadata
is fixed so renderers are byte-for-byte reproducible.
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

MODELS = {"gemini": "gemini-2.0-flash", "groq": "llama-3.3-70b-versatile"}

# (provider, scenario id) -> what differs from "declared supported, passed".
SPECIAL: dict[tuple[str, str], dict[str, Any]] = {
    ("gemini", "parallel_disabled"): {
        "outcome": "unsupported",
        "declared": "parallel tool calls cannot be switched off",
        "reason": "UsageError before sending: parallel tool calls cannot be switched off",
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
        out.append(
            Result(
                provider=provider,
                capability=scenario.capability,
                outcome=outcome,
                test_id=f"tests/test_conformance.py::test_scenario[{provider}-{scenario.id}]",
                scenario=scenario.id,
                model=model,
                reason=special.get("reason"),
                cassette=None
                if outcome == "skipped"
                else f"cassettes/{provider}/{scenario.id}.yaml",
                provenance=None if outcome == "skipped" else provenance,
                declared=special.get("declared"),
                changes=special.get("changes", ()),
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


def sample_matrix() -> Matrix:
    return Matrix.from_results(shard_a(), shard_b())


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
    return Matrix(runs=(RUN_A, RUN_B), results=tuple(results))


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
