"""Running one conformance scenario (``fctest.scenarios``) against one provider.

What is checked is adapter conformance, never how clever a model is:

- a scenario the provider's profile declares unsupported must be refused with a ``UsageError``
  before anything is sent: by ``adapter.build_request`` itself, and by a client whose transport
  fails the test if it is ever asked to send (so no network can be touched). Outcome
  ``unsupported``;
- any other scenario goes through the test's cassette-wired client (``complete``, ``stream``,
  or ``run`` for a tool loop); the decoded calls (names and arguments, in order) and finish
  reason must equal the script's, a scripted error must raise the scripted error class (with
  the scripted ``retry_after``). Error scripts run with retries off, except the ``retry``
  capability, whose script is an error then an answer. Outcome ``pass`` or ``fail`` with a
  one-line reason.

A cassette failure (missing cassette, request drift) is not an observation about the adapter:
it propagates as it is. Nothing here imports vcrpy or hypothesis.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from .._exceptions import CassetteError, FctestError, ProviderError, UsageError
from .._messages import Response
from .._retry import RetryPolicy
from .._transports.mock import MockTransport
from .._wire import HttpRequest, HttpResponse
from ..scenarios import ErrorTurn, ModelTurn, Scenario

if TYPE_CHECKING:
    from .._cassettes import Cassette
    from .._client import Client
    from ..providers import Adapter

__all__ = ["ConformanceFailure", "ConformanceRunner", "Observation", "check_scenario"]

Outcome = Literal["pass", "fail", "unsupported"]


@dataclass(frozen=True, slots=True)
class Observation:
    """What running one scenario against one provider showed."""

    scenario: str
    capability: str
    outcome: Outcome
    reason: str | None = None
    declared: str | None = None
    """The profile's reason for declaring the scenario unsupported, or ``None``."""
    model: str | None = None


class ConformanceFailure(FctestError, AssertionError):
    """The adapter did not do what the scenario expects; ``observation`` says what it did.

    An ``AssertionError`` so that pytest reports a plain failure, and an ``FctestError`` like
    everything fctest raises."""

    def __init__(self, observation: Observation) -> None:
        super().__init__(
            f"{observation.scenario}: {observation.reason or 'failed'} (capability "
            f"{observation.capability})"
        )
        self.observation = observation


class _Unsent(FctestError, AssertionError):
    """Raised by the refusing transport: a request reached the transport."""


def _refuse(request: HttpRequest) -> HttpResponse:
    raise _Unsent(f"{request.method} {request.url} was about to be sent")


def _options(scenario: Scenario, model: str) -> tuple[list[Any], dict[str, Any]]:
    """The client call's messages and keyword arguments that rebuild ``scenario.request``."""
    request = scenario.request(model)
    options: dict[str, Any] = {
        "tool_choice": request.tool_choice,
        "parallel_tool_calls": request.parallel_tool_calls,
        "temperature": request.temperature,
        "max_output_tokens": request.max_output_tokens,
    }
    return list(request.messages), options


def _call(client: Client, scenario: Scenario, model: str) -> list[Response]:
    """Send the scenario through ``client``; every model answer, in order."""
    messages, options = _options(scenario, model)
    if scenario.run_loop:
        steps = sum(isinstance(t, ModelTurn) for t in scenario.script) + 1
        result = client.run(messages, scenario.runnable_tools(), max_steps=steps, **options)
        return list(result.responses)
    if scenario.stream:
        items = list(
            client.stream(messages, tools=scenario.tools, output=scenario.output, **options)
        )
        final = items[-1] if items else None
        if not isinstance(final, Response):
            raise AssertionError("the stream did not end with a Response")
        return [final]
    return [client.complete(messages, tools=scenario.tools, output=scenario.output, **options)]


def _compare(turn: ModelTurn, response: Response, scenario: Scenario, step: int) -> str | None:
    """Why ``response`` does not answer like ``turn``, or ``None`` if it does."""
    where = f"step {step + 1}: " if len(scenario.script) > 1 else ""
    malformed = [c.name for c in response.tool_calls if c.malformed]
    if malformed:
        return f"{where}arguments of {', '.join(malformed)} did not decode as a JSON object"
    got = [(c.name, c.arguments) for c in response.tool_calls]
    want = [(name, dict(args)) for name, args in turn.calls]
    if got != want:
        return f"{where}expected calls {_short(want)}, decoded {_short(got)}"
    if response.finish_reason != turn.expected_finish_reason:
        return (
            f"{where}expected finish_reason {turn.expected_finish_reason!r}, "
            f"decoded {response.finish_reason!r}"
        )
    if turn.text is not None and not turn.calls:
        if not response.text:
            return f"{where}expected an answer text, decoded none"
        if scenario.output is not None:
            try:
                if json.loads(response.text) != json.loads(turn.text):
                    return f"{where}structured answer {response.text!r} != {turn.text!r}"
            except ValueError:
                return f"{where}structured answer is not JSON: {response.text[:80]!r}"
    return None


def _short(value: Any, limit: int = 160) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".strip()


def check_scenario(
    scenario: Scenario,
    adapter: Adapter,
    client_factory: Callable[..., Client],
    model: str,
) -> Observation:
    """Run ``scenario`` against ``adapter`` and say what happened (never raises for a
    non-conforming adapter; cassette failures propagate).

    ``client_factory(**overrides)`` makes the cassette-wired client (``retry=`` and
    ``transport=`` are the overrides it receives).
    """

    def observed(outcome: Outcome, reason: str | None = None) -> Observation:
        return Observation(scenario.id, scenario.capability, outcome, reason, declared, model=model)

    profile = adapter.profile.for_model(model)
    declared = scenario.unsupported_reason(profile)
    if declared is not None:
        return _check_unsupported(scenario, adapter, client_factory, model, observed)

    errors = [t for t in scenario.script if isinstance(t, ErrorTurn)]
    answers = [t for t in scenario.script if isinstance(t, ModelTurn)]
    retry = None if scenario.capability == "retry" or not errors else RetryPolicy(max_attempts=1)
    client = client_factory(retry=retry) if retry is not None else client_factory()
    try:
        responses = _call(client, scenario, model)
    except CassetteError:
        raise
    except ProviderError as exc:
        if answers or not errors:
            return observed("fail", f"unexpected {_one_line(exc)}")
        problem = _error_problem(errors[-1], exc)
        return observed("pass") if problem is None else observed("fail", problem)
    except FctestError as exc:
        return observed("fail", _one_line(exc))
    finally:
        client.close()
    if not answers:
        expected = errors[-1]
        return observed(
            "fail", f"expected {expected.error.__name__} (HTTP {expected.status}), got a response"
        )
    if len(responses) != len(answers):
        return observed("fail", f"expected {len(answers)} model calls, made {len(responses)}")
    for step, (turn, response) in enumerate(zip(answers, responses, strict=True)):
        problem = _compare(turn, response, scenario, step)
        if problem is not None:
            return observed("fail", problem)
    return observed("pass")


def _error_problem(expected: ErrorTurn, exc: ProviderError) -> str | None:
    """What is wrong with the error a scripted error turn ended in (``None``: nothing)."""
    if not isinstance(exc, expected.error):
        return (
            f"expected {expected.error.__name__} for HTTP {expected.status}, got {_one_line(exc)}"
        )
    if expected.retry_after is not None and exc.retry_after != expected.retry_after:
        return f"expected retry_after {expected.retry_after}, got {exc.retry_after}"
    return None


def _check_unsupported(
    scenario: Scenario,
    adapter: Adapter,
    client_factory: Callable[..., Client],
    model: str,
    observed: Callable[[Outcome, str | None], Observation],
) -> Observation:
    # Through a client whose transport fails the test if asked to send: nothing may leave.
    reason = scenario.unsupported_reason(adapter.profile.for_model(model))
    client = client_factory(transport=MockTransport(_refuse), retry=RetryPolicy(max_attempts=1))
    try:
        try:
            adapter.build_request(scenario.request(model), client.config)
        except UsageError:
            pass
        else:
            return observed(
                "fail",
                "the profile declares it unsupported "
                f"({reason}), "
                "but build_request accepted the request",
            )
        try:
            _call(client, scenario, model)
        except _Unsent as exc:
            return observed("fail", f"declared unsupported, yet a request was sent: {exc}")
        except UsageError:
            return observed("unsupported", reason)
        except FctestError as exc:
            return observed("fail", f"expected a UsageError before sending, got {_one_line(exc)}")
        return observed("fail", "declared unsupported, yet the client call succeeded")
    finally:
        client.close()


class ConformanceRunner:
    """What the ``fctest_conformance`` fixture returns: runs scenarios for the test's provider
    through the test's cassette, and reports each outcome to the results file."""

    def __init__(
        self,
        cassette: Cassette,
        adapter: Adapter,
        report: Callable[[Observation], None],
    ) -> None:
        self.cassette = cassette
        self.adapter = adapter
        self._report = report

    def check(self, scenario: Scenario) -> Observation:
        """Run ``scenario``; the observation, also when the adapter does not conform."""
        if not isinstance(scenario, Scenario):
            raise UsageError(
                f"run() takes a fctest.scenarios.Scenario, got {type(scenario).__name__}"
            )
        if scenario.id != self.cassette.name:
            raise UsageError(
                f"scenario {scenario.id!r} does not belong to this test's cassette "
                f"{self.cassette.display_path}: parametrize the test over the scenarios "
                "(@pytest.mark.parametrize('scenario', SCENARIOS, ids=...)) so each gets its own"
            )
        try:
            observation = check_scenario(
                scenario, self.adapter, self.cassette.client, self.cassette.model
            )
        except CassetteError as exc:
            self._report(
                Observation(
                    scenario.id,
                    scenario.capability,
                    "fail",
                    _one_line(exc),
                    scenario.unsupported_reason(
                        self.adapter.profile.for_model(self.cassette.model)
                    ),
                    model=self.cassette.model,
                )
            )
            # Raised from here: the frames inside httpx and vcrpy say nothing to the reader.
            __tracebackhide__ = True
            raise exc.with_traceback(None) from None
        self._report(observation)
        return observation

    def run(self, scenario: Scenario) -> Observation:
        """Run ``scenario``; fail the test (``ConformanceFailure``) if the adapter does not
        conform. ``pass`` and ``unsupported`` both return."""
        observation = self.check(scenario)
        if observation.outcome == "fail":
            raise ConformanceFailure(observation)
        return observation
