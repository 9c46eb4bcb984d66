"""From test reports to the results file and the terminal summary.

Each test tied to a capability (a conformance scenario, or a user's test marked
``@pytest.mark.fctest_capability``) gets one result, built when its teardown report is made
and attached to that report's ``user_properties`` as ``("fctest_result", {...})``: that is how
it crosses from a pytest-xdist worker to the controller (reports are serialised; private
attributes would be lost). The controller collects them, sorts them by content and writes one
results file through ``fctest.matrix`` (so a run with ``-n 2`` writes the same results as a
serial one), and prints a per-provider count.

Nothing here imports vcrpy or hypothesis; ``fctest.matrix`` is imported only to write.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pytest

if TYPE_CHECKING:
    from fctest.matrix import Outcome

    from ._config import PluginConfig

__all__ = [
    "RESULT_PROPERTY",
    "Collector",
    "Phase",
    "build_result",
    "results_of",
    "summary_lines",
    "write",
]

RESULT_PROPERTY = "fctest_result"

_OUTCOME_ORDER = ("pass", "fail", "unsupported", "partial", "skipped")
_QUALIFIED = re.compile(r"^(?:[A-Za-z_]\w*\.)+(?=[A-Za-z_]\w*:)")


@dataclass(frozen=True, slots=True)
class Phase:
    """What one phase (setup, call, teardown) of a test reported."""

    when: str
    outcome: str
    message: str
    xfail: bool = False


def phase_of(report: pytest.TestReport) -> Phase:
    return Phase(
        report.when, report.outcome, _message(report), bool(getattr(report, "wasxfail", ""))
    )


def _message(report: pytest.TestReport) -> str:
    """The first line of what made a phase fail or skip."""
    longrepr = report.longrepr
    if longrepr is None:
        return ""
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # a skip: (path, line, reason)
        return str(longrepr[2]).removeprefix("Skipped: ")
    crash = getattr(getattr(longrepr, "reprcrash", None), "message", None)
    text = str(crash if crash is not None else longrepr).strip()
    line = text.splitlines()[0] if text else ""
    # "fctest._exceptions.RequestDrift: ..." reads better as "RequestDrift: ...".
    return _QUALIFIED.sub("", line)


def build_result(
    *,
    provider: str,
    capability: str,
    nodeid: str,
    phases: Sequence[Phase],
    observation: Any = None,
    scenario: str | None = None,
    declared: Any = None,
    model: str | None = None,
    cassette: str | None = None,
    provenance: Mapping[str, Any] | None = None,
    recorded_now: bool = False,
) -> dict[str, Any]:
    """The results-file record of one finished test. ``recorded_now``: the cassette was
    recorded during this run, so a provider's own answer is ``live`` evidence."""
    from fctest.matrix import Result, with_profile

    failed = [p for p in phases if p.outcome == "failed"]
    skipped = [p for p in phases if p.outcome == "skipped"]
    reason: str | None
    if failed:
        outcome = "fail"
        if observation is not None and observation.outcome == "fail":
            reason = observation.reason
        else:
            reason = (
                f"{failed[0].when}: {failed[0].message}"
                if failed[0].when != "call"
                else (failed[0].message)
            )
    elif skipped:
        if skipped[0].xfail:
            outcome, reason = "fail", f"xfail: {skipped[0].message}"
        else:
            outcome, reason = "skipped", skipped[0].message or None
    elif observation is not None:
        outcome, reason = observation.outcome, observation.reason
    else:
        outcome, reason = "pass", None
    if observation is not None:
        scenario = observation.scenario
        declared = observation.declared
        model = observation.model or model
    result = Result(
        provider=provider,
        capability=capability,
        outcome=cast("Outcome", outcome),
        test_id=nodeid,
        scenario=scenario,
        model=model,
        reason=reason or None,
        cassette=cassette,
        provenance=dict(provenance) if provenance else None,
        declared=declared,
        evidence="live" if recorded_now and (provenance or {}).get("source") == "live" else None,
    )
    out: dict[str, Any] = with_profile(result).to_json()
    return out


def results_of(report: pytest.TestReport) -> list[dict[str, Any]]:
    """The fctest results a (possibly xdist-serialised) report carries."""
    out = []
    for prop in report.user_properties:
        name, value = prop  # xdist turns the tuple into a list
        if name == RESULT_PROPERTY and isinstance(value, dict):
            out.append(value)
    return out


def _records(results: Iterable[Mapping[str, Any]]) -> tuple[Any, ...]:
    """The collected records as ``fctest.matrix.Result`` values, each with what its provider's
    profile says (model families, the declaration's source), sorted by content so the order of
    execution does not show."""
    from fctest.matrix import Result, with_profile

    return tuple(sorted((with_profile(Result.from_json(r)) for r in results), key=Result.sort_key))


def write(path: Path, results: Iterable[Mapping[str, Any]], options: Mapping[str, Any]) -> None:
    """Write the results file."""
    from fctest.matrix import ResultsFile, RunInfo

    ResultsFile(RunInfo.current(options), _records(results)).dump(path)


def summary_lines(results: Iterable[Mapping[str, Any]]) -> list[str]:
    """One line per provider: how many results of each outcome."""
    counts: dict[str, Counter[str]] = {}
    for r in results:
        counts.setdefault(str(r["provider"]), Counter())[str(r["outcome"])] += 1
    if not counts:
        return []
    width = max(len(p) for p in counts)
    lines = []
    for provider in sorted(counts):
        c = counts[provider]
        parts = [f"{c[o]:3d} {o}" for o in _OUTCOME_ORDER if c[o] or o in ("pass", "fail")]
        lines.append(f"{provider:<{width}}  " + "  ".join(parts))
    return lines


class Collector:
    """Registered as a plugin for the run: gathers the results every teardown report carries
    (on the controller, the workers' reports included), writes the file, prints the summary."""

    def __init__(self, config: pytest.Config, conf: PluginConfig) -> None:
        self.config = config
        self.conf = conf
        self.results: list[dict[str, Any]] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "teardown":
            self.results.extend(results_of(report))

    def pytest_sessionfinish(self) -> None:
        if hasattr(self.config, "workerinput"):  # a pytest-xdist worker: the controller writes
            return
        if self.conf.results is not None:
            write(self.conf.results, self.results, self.conf.options_json())

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        lines = summary_lines(self.results)
        if not lines:
            return
        terminalreporter.write_sep("=", "fctest results")
        table = self._matrix_table()
        if table:
            terminalreporter.write_line(table.rstrip("\n"))
            terminalreporter.write_line("")
        for line in lines:
            terminalreporter.write_line(line)
        if self.conf.results is not None:
            terminalreporter.write_line(f"results file: {self.conf.results}")

    def _matrix_table(self) -> str | None:
        """The capability matrix of this run, as ``fctest.matrix`` renders it for a terminal."""
        try:
            from fctest.matrix import Matrix, ResultsFile, RunInfo, render_terminal
        except ImportError:  # pragma: no cover - the matrix ships with fctest
            return None
        writer = self.config.get_terminal_writer()
        matrix = Matrix.from_results(
            ResultsFile(RunInfo.current(self.conf.options_json()), _records(self.results))
        )
        text: str = render_terminal(
            matrix, color=writer.hasmarkup, width=max(60, min(writer.fullwidth, 140))
        )
        return text
