"""The reference server's insides; the public entry is ``fctest.server``.

``_answer`` holds the value an answerer returns, ``_scenarios`` answers the conformance
catalogue from the adapters' encoders, ``_cassettes`` replays the interactions that
``fctest._cassettes.CassetteIndex`` finds. None of them touches a socket: ``fctest.server``
moves the bytes.
"""

from __future__ import annotations

__all__: list[str] = []
