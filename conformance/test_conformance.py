"""The conformance catalogue against every registered adapter, written as a user writes it.

``pytest conformance`` replays ``cassettes/<provider>/<scenario>.yaml`` offline (record mode
``none``); ``--fctest-providers NAME`` runs one adapter, ``--fctest-results results.json``
writes the capability results. Recording: see docs/plugin.md.
"""

import pytest

from fctest.scenarios import SCENARIOS


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_scenario(scenario, fctest_conformance):
    fctest_conformance.run(scenario)
