"""fctest's pytest plugin (the ``pytest11`` entry point ``fctest``): options, ini, markers,
fixtures and report hooks, and nothing else (pytest-recording's shape).

The work lives in private modules, imported when a test asks for it: ``_config`` (options and
cassette paths), ``_conformance`` (the scenario runner), ``_report`` (results file and
summary), and the cassette itself in ``fctest._cassettes`` (which the reference server shares;
its vcrpy glue is imported only by the ``fctest_cassette`` fixture). Merely having fctest
installed costs another test suite no vcrpy or hypothesis import. Only the public ``pytest`` API
is used.

Options (group ``fctest``; each has an ini twin, the command line wins):

==============================  ==================================  ==========================
``--fctest-record-mode``        ``fctest_record_mode``              none, once, new_episodes,
                                                                    all (vcrpy's meanings)
``--fctest-providers``          ``fctest_providers``                adapters to run (all)
``--fctest-cassette-dir``       ``fctest_cassette_dir``             ``cassettes``
``--fctest-results``            ``fctest_results``                  results file (none)
``--fctest-base-url P=URL``     ``fctest_base_urls``                record against a server
``--fctest-model P=MODEL``      ``fctest_models``                   the model to ask for
``--fctest-ignore-field PTR``   ``fctest_ignore_fields``            body fields not compared
==============================  ==================================  ==========================
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from . import _config, _report

if TYPE_CHECKING:
    from fctest import Client
    from fctest.providers import Adapter

    from .._cassettes import Cassette
    from ._conformance import ConformanceRunner, Observation

_CONF = pytest.StashKey[_config.PluginConfig]()
_CASSETTE = pytest.StashKey["Cassette"]()
_OBSERVATION = pytest.StashKey["Observation"]()
_PHASES = pytest.StashKey[list[_report.Phase]]()

_MARKER = "fctest_capability"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("fctest", "fctest: provider conformance from cassettes")
    group.addoption(
        "--fctest-record-mode",
        dest="fctest_record_mode",
        choices=_config.RECORD_MODES,
        default=None,
        help="none (default: replay only, no network), once (record missing cassettes), "
        "new_episodes (record requests the cassette lacks), all (record everything again). "
        "ini: fctest_record_mode",
    )
    group.addoption(
        "--fctest-providers",
        dest="fctest_providers",
        action="append",
        default=None,
        metavar="NAMES",
        help="comma-separated adapter names to run (repeatable; default: every registered "
        "adapter). ini: fctest_providers",
    )
    group.addoption(
        "--fctest-cassette-dir",
        dest="fctest_cassette_dir",
        default=None,
        metavar="DIR",
        help="folder of <provider>/<scenario>.yaml cassettes (default: cassettes). "
        "ini: fctest_cassette_dir",
    )
    group.addoption(
        "--fctest-results",
        dest="fctest_results",
        default=None,
        metavar="PATH",
        help="write the capability results file (for `fctest matrix`) here. ini: fctest_results",
    )
    group.addoption(
        "--fctest-base-url",
        dest="fctest_base_url",
        action="append",
        default=None,
        metavar="PROVIDER=URL",
        help="send PROVIDER's requests to URL (any compatible server, `fctest serve`); "
        "cassettes still store the canonical URL (repeatable). ini: fctest_base_urls",
    )
    group.addoption(
        "--fctest-model",
        dest="fctest_model",
        action="append",
        default=None,
        metavar="PROVIDER=MODEL",
        help="the model PROVIDER's tests ask for (repeatable; default: the recorded one). "
        "ini: fctest_models",
    )
    group.addoption(
        "--fctest-ignore-field",
        dest="fctest_ignore_field",
        action="append",
        default=None,
        metavar="POINTER",
        help="a request body field left out of cassette matching, as a JSON pointer with * "
        "wildcards (/metadata/user_id; repeatable). ini: fctest_ignore_fields",
    )
    parser.addini("fctest_record_mode", "fctest record mode (none, once, new_episodes, all)")
    parser.addini("fctest_providers", "adapter names fctest tests run against", type="args")
    parser.addini("fctest_cassette_dir", "folder of fctest cassettes (default: cassettes)")
    parser.addini("fctest_results", "where fctest writes its capability results file")
    parser.addini("fctest_base_urls", "PROVIDER=URL lines: base-URL overrides", type="linelist")
    parser.addini("fctest_models", "PROVIDER=MODEL lines: the model per provider", type="linelist")
    parser.addini(
        "fctest_ignore_fields", "JSON pointers of request fields not compared", type="linelist"
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{_MARKER}(name, *, provider=None): tie this test to a capability of the capability "
        "matrix; its outcome goes to the fctest results file for the test's fctest_provider "
        "(or provider=).",
    )
    conf = config.stash[_CONF] = _config.resolve(config)
    # Collects results from every report (the workers' too) and writes them at the end.
    config.pluginmanager.register(_report.Collector(config, conf), "fctest-results")


def _conf(config: pytest.Config) -> _config.PluginConfig:
    return config.stash[_CONF]


@pytest.hookimpl(trylast=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "fctest_provider" not in metafunc.fixturenames:
        return
    for marker in metafunc.definition.iter_markers("parametrize"):
        names = marker.args[0] if marker.args else marker.kwargs.get("argnames", "")
        if "fctest_provider" in (names.split(",") if isinstance(names, str) else names):
            return  # the test chose its providers itself
    providers = _conf(metafunc.config).selected_providers()
    metafunc.parametrize("fctest_provider", providers, ids=providers, indirect=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        marker = item.get_closest_marker(_MARKER)
        if marker is None:
            continue
        if not marker.args or not isinstance(marker.args[0], str) or not marker.args[0]:
            raise pytest.UsageError(
                f"{item.nodeid}: @pytest.mark.{_MARKER} takes the capability name as a string"
            )
        if "fctest_provider" not in getattr(item, "fixturenames", ()) and not marker.kwargs.get(
            "provider"
        ):
            raise pytest.UsageError(
                f"{item.nodeid}: @pytest.mark.{_MARKER} needs a provider: use the "
                "fctest_provider fixture (or fctest_client / fctest_cassette), or pass provider="
            )


# --- fixtures ---------------------------------------------------------------------------------
@pytest.fixture
def fctest_provider(request: pytest.FixtureRequest) -> str:
    """The adapter name this test runs against (one test per selected provider)."""
    param = getattr(request, "param", None)
    if not isinstance(param, str):
        raise pytest.UsageError(
            f"{request.node.nodeid}: fctest_provider is parametrized by the fctest plugin; "
            "parametrize it with adapter names if you do it yourself"
        )
    return param


@pytest.fixture
def fctest_adapter(fctest_provider: str) -> Adapter:
    """The provider's adapter, from the registry (built-ins and the fctest.adapters group)."""
    from fctest.providers import get_adapter

    return get_adapter(fctest_provider)


@pytest.fixture
def fctest_cassette(
    request: pytest.FixtureRequest, fctest_provider: str, fctest_adapter: Adapter
) -> Iterator[Cassette]:
    """This test's cassette (<dir>/<provider>/<scenario or test>.yaml): path and provenance."""
    from .._cassettes import Cassette

    conf = _conf(request.config)
    spec = _config.cassette_spec(request.node, fctest_provider, fctest_adapter, conf)
    cache = getattr(request.config, "cache", None)  # absent under -p no:cacheprovider
    cache_dir = cache.mkdir("fctest-cassettes") if cache is not None else None
    cassette = Cassette(spec, fctest_adapter, cache_dir=cache_dir).open()
    request.node.stash[_CASSETTE] = cassette
    try:
        yield cassette
    finally:
        cassette.close()


@pytest.fixture
def fctest_client(fctest_cassette: Cassette) -> Iterator[Client]:
    """A fctest.Client for this provider, wired to the test's cassette (httpx, via vcrpy)."""
    client = fctest_cassette.client()
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def fctest_conformance(
    request: pytest.FixtureRequest, fctest_cassette: Cassette, fctest_adapter: Adapter
) -> ConformanceRunner:
    """Runs a fctest.scenarios scenario for this provider and cassette: .run(scenario)."""
    from ._conformance import ConformanceRunner

    node = request.node

    def report(observation: Observation) -> None:
        node.stash[_OBSERVATION] = observation

    return ConformanceRunner(fctest_cassette, fctest_adapter, report)


# --- running and reporting ----------------------------------------------------------------------
@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    outcome = yield
    cassette = item.stash.get(_CASSETTE, None)
    if cassette is not None:
        # A drift the code under test swallowed, or recorded interactions never requested.
        from .._cassettes import CassetteError

        __tracebackhide__ = True
        try:
            cassette.check()
        except CassetteError as exc:  # the frames inside httpx and vcrpy say nothing here
            raise exc.with_traceback(None) from None
    return outcome


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    phases = item.stash.setdefault(_PHASES, [])
    phases.append(_report.phase_of(report))
    if report.when == "teardown":
        result = _result_for(item, phases)
        if result is not None:
            report.user_properties.append((_report.RESULT_PROPERTY, result))
    return report


def _result_for(item: pytest.Item, phases: list[_report.Phase]) -> dict[str, Any] | None:
    observation = item.stash.get(_OBSERVATION, None)
    marker = item.get_closest_marker(_MARKER)
    callspec = getattr(item, "callspec", None)
    provider = callspec.params.get("fctest_provider") if callspec is not None else None
    if marker is not None and marker.kwargs.get("provider"):
        provider = provider or marker.kwargs["provider"]
    scenario = None
    if "fctest_conformance" in getattr(item, "fixturenames", ()):
        scenario = _config.scenario_of(item)
    if observation is not None:
        capability: str | None = observation.capability
    elif marker is not None:
        capability = str(marker.args[0])
    elif scenario is not None:
        capability = str(scenario.capability)
    else:
        capability = None
    if capability is None or not isinstance(provider, str):
        return None
    cassette = item.stash.get(_CASSETTE, None)
    if cassette is not None and not cassette.provenance:
        cassette = None  # never loaded nor recorded (a scenario refused before sending)
    declared = None
    if scenario is not None and observation is None:
        from fctest.providers import get_adapter

        profile = get_adapter(provider).profile
        model = cassette.model if cassette is not None else None
        declared = scenario.unsupported_reason(profile.for_model(model) if model else profile)
    return _report.build_result(
        provider=provider,
        capability=capability,
        nodeid=item.nodeid,
        phases=phases,
        observation=observation,
        scenario=scenario.id if scenario is not None else None,
        declared=declared,
        model=cassette.model if cassette is not None else None,
        cassette=cassette.display_path if cassette is not None else None,
        provenance=cassette.provenance if cassette is not None else None,
        recorded_now=cassette is not None and cassette.new_provenance is not None,
    )
