"""README's main command: one request, every adapter, what each changed (offline)."""

from __future__ import annotations

import io

import fctest
from fctest.cli import main


def test_demo_builds_a_request_for_every_adapter_and_reports_changes() -> None:
    out = io.StringIO()
    from fctest._demo import run_demo

    assert run_demo(None, out=out) == 0
    text = out.getvalue()
    for name in fctest.adapter_names():
        assert f"\n{name} " in "\n" + text
    # The demo tools fit every built-in adapter that offers strict tools; the others refuse
    # the strict one before sending, and say so (Ollama: docs/dialects.md#ollama-schema).
    for line in text.splitlines():
        if "refused" in line:
            name = line.split()[0]
            assert fctest.get_adapter(name).profile.strict_mode == "none", line
            assert "strict tools are not supported" in line, line
    # The dotted name is renamed where names may not hold dots, and OpenAI strict mode
    # makes the optional `unit` nullable: both are said, not done silently.
    assert "renamed to 'calendar_create_event': openai names must match" in text
    assert "optional ['unit'] made nullable" in text


def test_cli_demo_exit_code(capsys: object) -> None:
    assert main(["demo", "--providers", "openai", "anthropic"]) == 0
