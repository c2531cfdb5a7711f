"""The HTML guide in a real browser: Debian's headless Chromium opens guide.html and reports no console error,
no uncaught exception and no network request; a click on a matrix header sorts the matrix; a screenshot is saved.

The browser is driven over the Chrome DevTools Protocol on --remote-debugging-pipe (file descriptors 3 and 4,
NUL-terminated JSON), with the standard library only: no driver package to install or keep in step with
Debian's chromium. Skipped when /usr/bin/chromium is missing, unless GO_ADVISOR_CHROMIUM=required (CI).
Set GO_ADVISOR_GUIDE_SCREENSHOT=PATH to keep a copy of the screenshot there.
"""
from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from test_cli import run

CHROMIUM = Path("/usr/bin/chromium")
# A guard against a browser that hangs, not a timed assertion: no test outcome depends on how fast it answers.
STALL_S = 120

pytestmark = pytest.mark.slow


def _need_chromium() -> None:
    if not CHROMIUM.exists():
        if os.environ.get("GO_ADVISOR_CHROMIUM") == "required":
            pytest.fail("GO_ADVISOR_CHROMIUM=required but /usr/bin/chromium is missing (run .ci/install-chromium)")
        pytest.skip("no /usr/bin/chromium (run .ci/install-chromium)")


class Browser:
    """One headless Chromium and one page of it, spoken to over the DevTools pipe."""

    def __init__(self, profile_dir: Path) -> None:
        self.log_path = profile_dir.parent / "chromium.log"  # a file, not a pipe: its chatter must never block it
        self._log = open(self.log_path, "wb")  # noqa: SIM115 (closed in close())
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()

        def wire() -> None:  # in the child: the pipe ends Chromium expects on fds 3 and 4
            # first above both targets, so that placing one cannot close the other
            reading, writing = (fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_browser_read, from_browser_write))
            os.dup2(reading, 3)
            os.dup2(writing, 4)

        self.process = subprocess.Popen(
            [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
             f"--user-data-dir={profile_dir}", "--remote-debugging-pipe", "--window-size=1280,2000",
             "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._log, preexec_fn=wire,
            pass_fds=(3, 4))  # kept open through close_fds, which runs after wire()
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        self.session: str | None = None

    def _read_message(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._from_browser], [], [], STALL_S)
            if not ready:
                raise AssertionError(f"chromium sent nothing for {STALL_S} s")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise AssertionError("chromium closed the DevTools pipe: "
                                     + self.log_path.read_text(errors="replace")[-2000:])
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, params: dict[str, Any] | None = None, session: bool = True) -> dict[str, Any]:
        """Call a DevTools method and return its result; events that arrive meanwhile are kept in `events`."""
        self._next_id += 1
        call: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session and self.session:
            call["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(call).encode() + b"\0")
        while True:
            message = self._read_message()
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def wait_for(self, method: str) -> dict[str, Any]:
        for event in self.events:
            if event["method"] == method:
                return event
        while True:
            message = self._read_message()
            if "method" in message:
                self.events.append(message)
                if message["method"] == method:
                    return message

    def open_page(self) -> None:
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True},
                                 session=False)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def close(self) -> None:
        try:
            self.send("Browser.close", session=False)
        except (AssertionError, OSError):
            pass
        try:
            self.process.wait(timeout=STALL_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass


def _problems(events: list[dict[str, Any]], page_url: str) -> list[str]:
    """Console errors, uncaught exceptions, and any request for something other than the page itself."""
    found = []
    for event in events:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.exceptionThrown":
            found.append(f"uncaught: {params['exceptionDetails'].get('text')}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert", "warning"):
            found.append(f"console {params['type']}: {[a.get('value') for a in params.get('args', [])]}")
        elif method == "Log.entryAdded" and params["entry"].get("level") in ("error", "warning"):
            found.append(f"log {params['entry']['level']}: {params['entry'].get('text')}")
        elif method == "Network.requestWillBeSent" and params["request"]["url"] != page_url:
            found.append(f"request: {params['request']['url']}")
    return found


def _matrix_column(browser: Browser, header: str) -> list[str]:
    """The cells of one column of the comparison matrix (the table after the matrix heading)."""
    script = f"""
      (function () {{
        var heading = Array.from(document.querySelectorAll("h3")).find(h => h.textContent === "Comparison matrix");
        var table = heading.nextElementSibling;
        while (table.tagName !== "TABLE") {{ table = table.nextElementSibling; }}
        var column = Array.from(table.tHead.rows[0].cells)
          .findIndex(c => c.textContent.trim() === {json.dumps(header)});
        return Array.from(table.tBodies[0].rows).map(r => r.cells[column].textContent.trim());
      }})()"""
    return browser.evaluate(script)


def _click_matrix_header(browser: Browser, header: str) -> None:
    browser.evaluate(f"""
      (function () {{
        var heading = Array.from(document.querySelectorAll("h3")).find(h => h.textContent === "Comparison matrix");
        var table = heading.nextElementSibling;
        while (table.tagName !== "TABLE") {{ table = table.nextElementSibling; }}
        Array.from(table.tHead.rows[0].cells).find(c => c.textContent.trim() === {json.dumps(header)}).click();
      }})()""")


def test_html_guide_opens_without_errors_or_requests_sorts_its_matrix_and_is_photographed(tmp_path):
    _need_chromium()
    out = tmp_path / "guide"
    done = run("guide", "-o", str(out), "--format", "html", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    page = (out / "guide.html").resolve()
    url = page.as_uri()
    browser = Browser(tmp_path / "chromium-profile")
    try:
        browser.open_page()
        browser.send("Page.navigate", {"url": url})
        browser.wait_for("Page.loadEventFired")
        assert browser.evaluate("document.querySelectorAll('svg').length") == 3
        assert browser.evaluate("document.querySelectorAll('table.sortable').length") >= 3

        ranks = _matrix_column(browser, "#")
        assert ranks == [str(n) for n in range(1, len(ranks) + 1)]
        waits = [float(cell) for cell in _matrix_column(browser, "min a day waiting")]
        assert waits != sorted(waits), "the ranking is not already in order of waiting: the click must reorder"
        _click_matrix_header(browser, "min a day waiting")
        assert [float(cell) for cell in _matrix_column(browser, "min a day waiting")] == sorted(waits)
        assert _matrix_column(browser, "#") != ranks
        _click_matrix_header(browser, "min a day waiting")  # again: descending
        assert [float(cell) for cell in _matrix_column(browser, "min a day waiting")] == sorted(waits, reverse=True)
        _click_matrix_header(browser, "#")
        assert _matrix_column(browser, "#") == ranks

        height = browser.evaluate("Math.ceil(document.documentElement.scrollHeight)")  # the whole page, charts too
        browser.send("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": min(height, 16000),
                                                            "deviceScaleFactor": 1, "mobile": False})
        shot = browser.send("Page.captureScreenshot", {"format": "png"})
        png = base64.b64decode(shot["data"])
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
        (tmp_path / "guide.png").write_bytes(png)
        keep = os.environ.get("GO_ADVISOR_GUIDE_SCREENSHOT")
        if keep:
            shutil.copyfile(tmp_path / "guide.png", keep)
        assert _problems(browser.events, url) == []
    finally:
        browser.close()


def test_problems_catches_what_it_is_for():
    # the filter itself, on the events Chromium sends for an error, an exception and a fetched image
    events = [{"method": "Runtime.consoleAPICalled", "params": {"type": "error", "args": [{"value": "boom"}]}},
              {"method": "Runtime.exceptionThrown", "params": {"exceptionDetails": {"text": "Uncaught x"}}},
              {"method": "Network.requestWillBeSent", "params": {"request": {"url": "https://cdn.example/x.png"}}},
              {"method": "Network.requestWillBeSent", "params": {"request": {"url": "file:///g/guide.html"}}},
              {"method": "Runtime.consoleAPICalled", "params": {"type": "log", "args": [{"value": "fine"}]}}]
    assert len(_problems(events, "file:///g/guide.html")) == 3


def test_chinese_html_guide_for_the_cn_market_opens_without_errors_or_requests(tmp_path):
    _need_chromium()
    out = tmp_path / "guide"
    done = run("guide", "-o", str(out), "--format", "html", "--market", "cn", "--lang", "zh-CN", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    url = (out / "guide.html").resolve().as_uri()
    browser = Browser(tmp_path / "chromium-profile")
    try:
        browser.open_page()
        browser.send("Page.navigate", {"url": url})
        browser.wait_for("Page.loadEventFired")
        assert browser.evaluate("document.documentElement.lang") == "zh-CN"
        assert browser.evaluate("document.querySelector('h1').textContent") == "Go 开发笔记本选购指南"
        assert browser.evaluate("document.querySelectorAll('svg').length") == 3
        assert _problems(browser.events, url) == []
    finally:
        browser.close()
