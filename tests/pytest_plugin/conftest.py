"""pytester-based tests of the fctest pytest plugin.

``pytester`` is registered here rather than with ``pytest_plugins`` (which pytest refuses in a
conftest below the rootdir). The in-process runs of ``pytester.runpytest`` drop the modules
they imported when they end; PyYAML's C extension cannot be imported twice in a process, so
yaml (and vcrpy, which imports it) are imported once here, before any inner run.
"""

from __future__ import annotations

import pytest
import vcr  # noqa: F401
import yaml  # noqa: F401


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")
