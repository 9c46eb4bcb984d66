"""Answering the conformance catalogue in each provider's wire format, deterministically.

A request reaches ``/<adapter name>/<the adapter's own path>``; the adapter is the registered
one of that name (or one given to the server). What to answer is read from the request alone:

- the scenario: the ``[fctest:<id>]`` marker that ``Scenario.request`` puts in the first user
  message, found in the raw body (so any client in any language can ask for one);
- the step: ``adapter.assistant_turns(request)`` minus the assistant turns of the scenario's
  own history (``tool_result_string`` starts with one), i.e. how many of the script's model
  turns the client has already received;
- retries: the ``ErrorTurn`` s just before a model turn are answered first, one per attempt. A
  retry resends the same bytes, so the history cannot tell it apart: a counter keyed by
  (provider, scenario, SHA-256 of the body) advances on each error answered and is cleared
  when the model turn is answered, so the same client run gets the same answers every time.
  Errors after the last model turn (``error_429_retry_after``) are answered in a cycle;
- the route: the last path segment must be the one the adapter itself would use for this
  scenario (``completions``, ``messages``, ``<model>:generateContent``); what comes before it
  may differ (an API version: google-genai 3.x calls ``/v1/``, fctest's adapter ``/v1beta/``),
  so a client using a base URL for another endpoint gets a 404 naming the right one;
- streaming: the adapter's own stream endpoint when it differs from its plain one (Gemini's
  ``:streamGenerateContent``), else ``"stream": true`` in the JSON body.

The answer is the script's ``ModelTurn`` as a neutral ``Response`` (call ids derived from the
scenario, step and position; a fixed usage) passed through the adapter's ``encode_response`` /
``encode_stream``, or ``encode_error`` for an ``ErrorTurn`` and for the server's own refusals
(no key: 401; no or unknown marker: 400; an endpoint the adapter would not use: 404), so every
answer is in the provider's documented shape. Credentials are checked for presence only and
never logged or kept.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .._exceptions import UnknownAdapterError, UsageError
from .._messages import Response, ToolCall, Usage
from .._wire import HttpRequest
from ..providers import Adapter, Responder, adapter_names, get_adapter, responder_for
from ..scenarios import SCENARIOS, ErrorTurn, ModelTurn, Scenario
from ._answer import Answer, json_answer

__all__ = ["USAGE", "ScenarioAnswerer", "call_id", "plan"]

MARKER = re.compile(rb"\[fctest:([A-Za-z0-9_.:-]+)\]")
# Every built-in adapter sends its key in one of these (Bearer for the OpenAI family and
# Azure AD, ``api-key`` for Azure keys, ``x-api-key`` for Anthropic, ``x-goog-api-key`` for
# Gemini, which also accepts ``?key=``); the server only checks that one is there.
_CREDENTIAL_HEADERS = ("authorization", "x-api-key", "api-key", "x-goog-api-key")
_DEFAULT_MODEL = "fctest-model"
_MODEL_IN_PATH = re.compile(r"/models/([^/:]+)")
_PLACEHOLDER_ROOT = "http://fctest.invalid"

USAGE = Usage(input_tokens=24, output_tokens=12)
"""The usage every scripted answer reports."""

Group = tuple[tuple[ErrorTurn, ...], ModelTurn | None]


def plan(script: Iterable[ModelTurn | ErrorTurn]) -> tuple[Group, ...]:
    """The script by model turn: group ``n`` holds the errors answered before model turn ``n``
    (``None`` when the script ends with errors, or is empty)."""
    groups: list[Group] = []
    errors: list[ErrorTurn] = []
    for turn in script:
        if isinstance(turn, ErrorTurn):
            errors.append(turn)
        else:
            groups.append((tuple(errors), turn))
            errors = []
    if errors or not groups:
        groups.append((tuple(errors), None))
    return tuple(groups)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def call_id(scenario_id: str, step: int, index: int) -> str:
    """The id of call ``index`` of model turn ``step``: stable, ``[a-z0-9_]``, 29 characters
    (inside OpenAI's 40 and Anthropic's ``^[a-zA-Z0-9_-]+$``; profile.tool_call_id_pattern)."""
    return "call_" + _digest(f"{scenario_id}:{step}:{index}")[:24]


@dataclass(frozen=True, slots=True)
class _Route:
    """Where the adapter sends a scenario (``None``: it would not build it) and how many
    assistant turns the scenario's own history holds."""

    paths: Mapping[bool, str] | None
    baseline: int


class ScenarioAnswerer:
    """Answers the scenarios for every served adapter (default: the registry), each through
    its responder: the ones in ``responders``, else the one the registry has for it
    (``fctest.providers.responder_for``)."""

    def __init__(
        self,
        adapters: Iterable[Adapter] | None = None,
        scenarios: Iterable[Scenario] | None = None,
        *,
        responders: Iterable[Responder[Any]] | None = None,
        fragment_size: int = 8,
    ) -> None:
        self._responders = {r.name: r for r in responders or ()}
        self._adapters: dict[str, Adapter] | None = None
        if adapters is not None or responders is not None:
            self._adapters = {a.name: a for a in adapters or ()}
            self._adapters.update((n, r.adapter) for n, r in self._responders.items())
        self._scenarios = {s.id: s for s in (SCENARIOS if scenarios is None else scenarios)}
        self._plans = {sid: plan(s.script) for sid, s in self._scenarios.items()}
        self.fragment_size = fragment_size
        self._lock = threading.Lock()
        self._retries: dict[tuple[str, str, str], int] = {}
        self._routes: dict[tuple[str, str, str], _Route] = {}

    # --- what is served -------------------------------------------------------------------
    def providers(self) -> list[str]:
        return sorted(self._adapters) if self._adapters is not None else adapter_names()

    def adapter(self, name: str) -> Adapter:
        """The adapter served under ``/name/``; ``UnknownAdapterError`` lists the others."""
        if self._adapters is None:
            return get_adapter(name)
        try:
            return self._adapters[name]
        except KeyError:
            raise UnknownAdapterError(
                f"no adapter named {name!r} on this server; known: {', '.join(self.providers())}"
            ) from None

    def responder(self, name: str) -> Responder[Any]:
        """The responder answering ``/name/`` (``UsageError`` when its adapter has none)."""
        found = self._responders.get(name)
        return found if found is not None else responder_for(self.adapter(name))

    def base_path(self, name: str) -> str:
        """``/<name>`` plus the path of the adapter's default base URL (``/openai/v1``,
        ``/groq/openai/v1``, ``/anthropic``): the server mirrors each API's own layout."""
        adapter = self.adapter(name)
        return f"/{name}{urlsplit(adapter.profile.base_url).path.rstrip('/')}"

    def describe(self) -> dict[str, Any]:
        return {"mode": "scenarios", "scenarios": sorted(self._scenarios)}

    # --- answering ------------------------------------------------------------------------
    def answer(self, request: HttpRequest) -> Answer:
        parts = urlsplit(request.url)
        name = parts.path.lstrip("/").partition("/")[0]
        try:
            self.adapter(name)
        except UnknownAdapterError:
            return json_answer(
                404,
                "fctest_unknown_provider",
                f"no provider {name!r}: paths start with /<provider>/; "
                f"known providers: {', '.join(self.providers())}",
            )
        try:
            responder = self.responder(name)
        except UsageError as exc:
            return json_answer(
                501, "fctest_cannot_answer", f"the {name!r} adapter cannot answer: {exc}"
            )
        try:
            return self._answer(responder, name, request, parts.path, parts.query)
        except UsageError as exc:  # a body the adapter cannot read as its own request
            return self._refuse(responder, 400, f"fctest reference server: {exc}")

    def _answer(
        self, responder: Responder[Any], name: str, request: HttpRequest, path: str, query: str
    ) -> Answer:
        adapter = responder.adapter
        if not _has_credentials(request, query):
            return self._refuse(
                responder,
                401,
                "fctest reference server: no API key was sent (expected one of the headers "
                f"{', '.join(_CREDENTIAL_HEADERS)} or a key= query parameter; any value works)",
            )
        found = MARKER.search(request.body)
        scenario = self._scenarios.get(found.group(1).decode()) if found else None
        if scenario is None:
            what = (
                f"unknown scenario {found.group(1).decode()!r}"
                if found
                else "no [fctest:<scenario id>] marker in the request body"
            )
            known = ", ".join(sorted(self._scenarios))
            return self._refuse(responder, 400, f"fctest reference server: {what}; known: {known}")
        body = _json_object(request.body)
        model = _model(body, path)
        route = self._route(responder, name, scenario, model)
        endpoint = path.rpartition("/")[2]
        if route.paths is not None:
            endpoints = {s: p.rpartition("/")[2] for s, p in route.paths.items()}
            if endpoint not in endpoints.values():
                return self._refuse(
                    responder,
                    404,
                    f"fctest reference server: {request.method} {path} is not where the "
                    f"{adapter.name} adapter sends this request ({route.paths[scenario.stream]}); "
                    f"use the base URL ending in {self.base_path(name)}",
                )
        if route.paths is not None and endpoints[True] != endpoints[False]:
            stream = endpoint == endpoints[True]
        else:
            stream = body.get("stream") is True
        turns = responder.assistant_turns(request) - route.baseline
        groups = self._plans[scenario.id]
        if not 0 <= turns < len(groups):
            return self._refuse(
                responder,
                400,
                f"fctest reference server: scenario {scenario.id!r} has {len(groups)} model "
                f"turn(s) but this request holds {turns} answered turn(s) after the "
                "scenario's own history",
            )
        turn = self._next_turn(name, scenario.id, request.body, groups[turns])
        note = f"{scenario.id} step {turns}"
        if turn is None:
            return self._refuse(responder, 500, f"scenario {scenario.id!r} has an empty script")
        if isinstance(turn, ErrorTurn):
            error = responder.encode_error(turn.status, turn.message, retry_after=turn.retry_after)
            return Answer.of(error, f"{note}: error {turn.status}")
        neutral = replace(scenario.request(model), stream=stream)
        response = _response(adapter, scenario, turns, turn, model)
        if not stream:
            return Answer.of(responder.encode_response(response, neutral), note)
        items = responder.encode_stream(response, neutral, fragment_size=self.fragment_size)
        return Answer(200, {"content-type": _stream_type(items)}, tuple(items), True, note)

    def _next_turn(
        self, name: str, scenario_id: str, body: bytes, group: Group
    ) -> ErrorTurn | ModelTurn | None:
        errors, model_turn = group
        key = (name, scenario_id, hashlib.sha256(body).hexdigest())
        with self._lock:
            seen = self._retries.get(key, 0)
            if seen < len(errors):
                # Trailing errors (no model turn after them) cycle, so every run sees the same.
                after = seen + 1
                self._retries[key] = after if model_turn is not None else after % len(errors)
                return errors[seen]
            self._retries.pop(key, None)
            return model_turn

    def _route(
        self, responder: Responder[Any], name: str, scenario: Scenario, model: str
    ) -> _Route:
        key = (name, scenario.id, model)
        route = self._routes.get(key)
        if route is None:
            route = self._routes[key] = self._make_route(responder, name, scenario, model)
        return route

    def _make_route(
        self, responder: Responder[Any], name: str, scenario: Scenario, model: str
    ) -> _Route:
        """Build the scenario's first request with the adapter itself, as a client would."""
        adapter = responder.adapter
        request = scenario.request(model)
        try:
            config = adapter.config_type(
                api_key="fctest", base_url=_PLACEHOLDER_ROOT + self.base_path(name)
            )
            built = {
                s: adapter.build_request(replace(request, stream=s), config) for s in (False, True)
            }
        except (UsageError, TypeError):
            # The adapter refuses this scenario (its profile lacks a capability) or its config
            # needs more than a base URL: no path check, and the history counted neutrally.
            baseline = sum(1 for m in scenario.history if m.role == "assistant")
            return _Route(None, baseline)
        paths = {s: urlsplit(r.url).path for s, r in built.items()}
        return _Route(paths, responder.assistant_turns(built[False]))

    def _refuse(self, responder: Responder[Any], status: int, message: str) -> Answer:
        return Answer.of(responder.encode_error(status, message), f"refused: {message}")


def _has_credentials(request: HttpRequest, query: str) -> bool:
    headers = {k.lower(): v for k, v in request.headers.items()}
    if any(headers.get(h, "").strip() for h in _CREDENTIAL_HEADERS):
        return True
    return any(k == "key" and v for k, v in parse_qsl(query, keep_blank_values=True))


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _model(body: Mapping[str, Any], path: str) -> str:
    """The model asked for: the body's ``model``, else the ``/models/<name>`` path segment."""
    model = body.get("model")
    if isinstance(model, str) and model:
        return model
    found = _MODEL_IN_PATH.search(path)
    return found.group(1) if found else _DEFAULT_MODEL


def _response(
    adapter: Adapter, scenario: Scenario, step: int, turn: ModelTurn, model: str
) -> Response:
    calls = tuple(
        ToolCall(call_id(scenario.id, step, i), name, dict(arguments))
        for i, (name, arguments) in enumerate(turn.calls)
    )
    return Response(
        provider=adapter.name,
        model=model,
        text=turn.text,
        tool_calls=calls,
        finish_reason=turn.expected_finish_reason,
        usage=USAGE,
        id="fctest_" + _digest(f"{scenario.id}:{step}")[:24],
    )


def _stream_type(items: list[bytes]) -> str:
    """SSE unless the encoder wrote NDJSON lines (a third-party adapter may)."""
    first = next((i for i in items if i.strip()), b"").lstrip()
    if first.startswith((b"data:", b"event:", b"id:", b"retry:", b":")):
        return "text/event-stream"
    return "application/x-ndjson"
