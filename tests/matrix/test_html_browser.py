"""The HTML report in a real browser: headless Chromium driven over the DevTools protocol.

Chromium is Debian's (``apt-get install -y chromium``; ``.ci/run`` installs it). It is driven
through ``--remote-debugging-port`` on 127.0.0.1 with the ``websockets`` client (no Playwright or
Selenium download). The test opens the sample report, checks that the page makes no network
request and throws no error, clicks a cell with real mouse events and reads the details panel,
works the provider, state and drift filters, switches to the keyword view, checks the print
style, and keeps a screenshot (``docs/matrix-screenshot.png`` in CI or when
``FCTEST_UPDATE_SNAPSHOTS`` is set). Without Chromium it is skipped, except under ``CI``.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import struct
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fctest.matrix import render_html

from ._sample import SAMPLE_COLUMNS, sample_matrix

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "docs" / "matrix-screenshot.png"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--window-size=1366,900",
    "--remote-debugging-port=0",
]


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    reason = "chromium is not installed (apt-get install -y chromium)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must install it")
    pytest.skip(reason)


def _websockets_connect() -> Any:
    try:
        from websockets.sync.client import connect
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("the websockets package is missing (it comes with the 'test' extra)")
        pytest.skip("the websockets package is not installed")
    return connect


class DevTools:
    """A minimal Chrome DevTools Protocol client over one page's websocket."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        deadline = time.monotonic() + 30
        while True:
            message = json.loads(self.ws.recv(timeout=max(deadline - time.monotonic(), 0.1)))
            if message.get("id") == self.next_id:
                assert "error" not in message, f"{method}: {message['error']}"
                result: dict[str, Any] = message.get("result", {})
                return result
            self.events.append(message)

    def wait_event(self, method: str, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events:
                if event.get("method") == method:
                    return event
            message = json.loads(self.ws.recv(timeout=max(deadline - time.monotonic(), 0.1)))
            self.events.append(message)

    def eval(self, expression: str) -> Any:
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def click(self, selector: str) -> None:
        """A real left click (mouse events) in the middle of the element."""
        rect = self.eval(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " e.scrollIntoView({block: 'nearest', inline: 'nearest'});"
            " const r = e.getBoundingClientRect();"
            " return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()"
        )
        for kind in ("mousePressed", "mouseReleased"):
            self.send(
                "Input.dispatchMouseEvent",
                type=kind,
                x=rect["x"],
                y=rect["y"],
                button="left",
                clickCount=1,
            )

    def visible(self, selector: str) -> bool:
        return bool(
            self.eval(
                f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                " return !!e && e.getClientRects().length > 0; })()"
            )
        )


@pytest.fixture
def page(tmp_path: Path) -> Iterator[tuple[DevTools, Path]]:
    """Chromium on a blank page, with a DevTools session; the sample report written beside it."""
    binary = _chromium()
    report = tmp_path / "matrix.html"
    report.write_text(render_html(sample_matrix()), encoding="utf-8")
    profile = tmp_path / "profile"
    log = (tmp_path / "chromium.log").open("wb")
    proc = subprocess.Popen(
        [binary, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            assert proc.poll() is None, (tmp_path / "chromium.log").read_text(errors="replace")
            assert time.monotonic() < deadline, "chromium did not open its DevTools port"
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as resp:
            targets = json.load(resp)
        target = next(t for t in targets if t["type"] == "page")
        connect = _websockets_connect()
        with connect(target["webSocketDebuggerUrl"], max_size=None, open_timeout=20) as ws:
            yield DevTools(ws), report
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_report_in_chromium(page: tuple[DevTools, Path], tmp_path: Path) -> None:
    cdp, report = page
    for domain in ("Page", "Runtime", "Network"):
        cdp.send(f"{domain}.enable")
    cdp.send(
        "Emulation.setDeviceMetricsOverride",
        width=1366,
        height=900,
        deviceScaleFactor=1,
        mobile=False,
    )
    cdp.send("Page.navigate", url=report.as_uri())
    cdp.wait_event("Page.loadEventFired")

    # Self-contained: the only request is the file itself; and the script ran without error.
    requested = [
        e["params"]["request"]["url"]
        for e in cdp.events
        if e.get("method") == "Network.requestWillBeSent"
    ]
    assert requested == [report.as_uri()], requested
    assert not [e for e in cdp.events if e.get("method") == "Runtime.exceptionThrown"]

    # The table: 6 columns of providers and families by 23 capabilities, states as classes.
    shape = cdp.eval(
        "(() => { const t = document.getElementById('matrix-capabilities');"
        " return {rows: t.tBodies[0].rows.length, cols: t.tHead.querySelectorAll('th.col').length,"
        " fail: t.querySelectorAll('td.s-fail').length, drift: t.querySelectorAll('td.drift').length,"
        " finding: t.querySelectorAll('td.finding').length,"
        " kinds: [...t.querySelectorAll('td.cell sup.kind')].map(e => e.textContent).join(''),"
        " labels: [...t.querySelectorAll('th.rowhead')].map(e => e.textContent)}; })()"
    )
    kinds = shape.pop("kinds")
    assert set(kinds) == {"L", "R", "E", "D"}
    assert shape == {
        "rows": 6,
        "cols": 23,
        "fail": 2,
        "drift": 2,
        "finding": 1,
        "labels": SAMPLE_COLUMNS,
    }
    assert cdp.visible("#matrix-capabilities")
    assert not cdp.visible("#matrix-keywords")

    # A cell's evidence: on hover (title) and on click (the details panel).
    fail_cell = "tr[data-provider='xai'] td.s-fail"
    title = cdp.eval(f"document.querySelector({json.dumps(fail_cell)}).title")
    assert "xai · provider defaults — streaming_parallel: fail" in title
    assert "expected 2 calls, decoded 1" in title
    assert "evidence: emulated: cassettes/xai/stream_parallel_calls.yaml" in title
    cdp.click(fail_cell)
    panel = cdp.eval("document.getElementById('details').innerText")
    assert "xai · provider defaults — streaming_parallel" in panel
    links = cdp.eval(
        "[...document.querySelectorAll('#details a')].map(a => a.getAttribute('href'))"
    )
    assert "cassettes/xai/stream_parallel_calls.yaml" in links
    assert "expected 2 calls, decoded 1" in panel
    assert "tests/test_conformance.py::test_scenario[xai-stream_parallel_calls]" in panel
    assert "cassettes/xai/stream_parallel_calls.yaml" in panel
    assert 'source: "reference-server"' in panel
    assert cdp.eval(
        f"document.querySelector({json.dumps(fail_cell)}).classList.contains('selected')"
    )

    # The screenshot: the top of the page, with one cell's evidence open.
    cdp.eval("window.scrollTo(0, 0)")
    shot = base64.b64decode(cdp.send("Page.captureScreenshot", format="png")["data"])
    assert _png_size(shot) == (1366, 900)
    (tmp_path / "matrix-screenshot.png").write_bytes(shot)
    if os.environ.get("CI") or os.environ.get("FCTEST_UPDATE_SNAPSHOTS"):
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        SCREENSHOT.write_bytes(shot)

    # Filters: by provider ...
    cdp.click("#filter-provider input[value='openai']")
    assert not cdp.visible("tr[data-provider='openai']")
    assert cdp.visible("tr[data-provider='xai']")
    cdp.click("#filter-provider input[value='openai']")
    assert cdp.visible("tr[data-provider='openai']")
    # ... by state: hiding pass dims pass cells and hides rows with nothing else ...
    cdp.click("#filter-state input[value='pass']")
    states = cdp.eval(
        "(() => { const t = document.getElementById('matrix-capabilities');"
        " return {dimPass: [...t.querySelectorAll('td.s-pass')].every(e => e.classList.contains('dim')),"
        " litFail: [...t.querySelectorAll('td.s-fail')].every(e => !e.classList.contains('dim')),"
        " rows: [...t.tBodies[0].rows].filter(r => r.getClientRects().length).map(r => r.dataset.provider)}; })()"
    )
    assert states == {
        "dimPass": True,
        "litFail": True,
        "rows": ["anthropic", "gemini", "gemini", "groq", "openai", "xai"],
    }
    cdp.click("#filter-state input[value='not_tested']")
    assert not cdp.visible("tr[data-provider='openai']")  # its only non-pass cell is not_tested
    cdp.click("#filter-state input[value='not_tested']")
    cdp.click("#filter-state input[value='pass']")
    # ... and drift only.
    cdp.click("#filter-state input[value='drift']")
    shown = cdp.eval(
        "[...document.querySelectorAll('#matrix-capabilities tbody tr')]"
        ".filter(r => r.getClientRects().length).map(r => r.dataset.provider)"
    )
    assert shown == ["groq", "xai"]
    cdp.click("#filter-state input[value='drift']")
    # ... and findings only: the recording that contradicts the profile, linked to its file.
    cdp.click("#filter-state input[value='finding']")
    shown = cdp.eval(
        "[...document.querySelectorAll('#matrix-capabilities tbody tr')]"
        ".filter(r => r.getClientRects().length).map(r => r.querySelector('th').textContent)"
    )
    assert shown == ["gemini · gemini 3"]
    cdp.click("#matrix-capabilities td.finding")
    panel = cdp.eval("document.getElementById('details').innerText")
    assert "declared tool_call_ids 'generated'" in panel
    assert "test_streaming_tool_calls.yaml#0" in panel
    cdp.click("#filter-state input[value='finding']")

    # The keyword table is the second view.
    cdp.click("#tab-keywords")
    assert cdp.visible("#matrix-keywords")
    assert not cdp.visible("#matrix-capabilities")
    keyword_cols = cdp.eval(
        "[...document.querySelectorAll('#matrix-keywords th.col')].map(e => e.textContent)"
    )
    assert keyword_cols == ["$ref", "anyOf", "const", "format", "minLength", "pattern"]
    cdp.click("#matrix-keywords tr[data-provider='gemini'] td.drift")
    assert "declared rejected, observed pass" in cdp.eval(
        "document.getElementById('details').innerText"
    )

    # Printing: controls and panel hidden, both views shown, colours kept.
    cdp.send("Emulation.setEmulatedMedia", media="print")
    assert not cdp.visible(".controls")
    assert not cdp.visible("#details")
    assert cdp.visible("#matrix-capabilities")
    assert cdp.visible("#matrix-keywords")
    adjust = cdp.eval("getComputedStyle(document.body).printColorAdjust")
    assert adjust == "exact"
    print_shot = base64.b64decode(cdp.send("Page.captureScreenshot", format="png")["data"])
    (tmp_path / "matrix-print.png").write_bytes(print_shot)
    pdf = base64.b64decode(cdp.send("Page.printToPDF", landscape=True)["data"])
    assert pdf.startswith(b"%PDF")
    (tmp_path / "matrix.pdf").write_bytes(pdf)
    assert not [e for e in cdp.events if e.get("method") == "Runtime.exceptionThrown"]
