"""Shared test set-up: the hypothesis profiles, and where the real-cassette corpus lives."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, settings

# `ci` keeps every property bounded and free of timing flakiness; `long` runs 100x more examples.
settings.register_profile(
    "ci",
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("long", max_examples=5000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
