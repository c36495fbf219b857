"""A real browser opens the HTML report of a check over hostile records.

Headless Chromium from Debian's `chromium` package (installed by .ci/run; nothing here
downloads a browser), driven over the DevTools protocol with `websocket-client`.  The
test asserts that the key numbers and the charts render, that the filters and the
sample search work, that the console stays clean, and that no payload ran; it saves a
screenshot under the test's tmp folder and prints its path.  Without chromium the test
fails when CI=true and is skipped elsewhere.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import websocket

from checker.render.labels import labels
from render_support import CASES, PAYLOADS


class Browser:
    """Just enough of the DevTools protocol: commands on one page session, events collected."""

    def __init__(self, profile: Path):
        # a start on a loaded machine now and then never opens its port: one more try, in a fresh profile,
        # and what chromium said if that fails too
        for attempt in (1, 2):
            folder = profile if attempt == 1 else profile.with_name(profile.name + "-retry")
            folder.mkdir(parents=True, exist_ok=True)
            port_file = self._start(folder)
            if port_file is not None:
                break
            said = (folder.parent / f"{folder.name}.stderr").read_text(errors="replace")[-2000:]
            if attempt == 2:
                raise RuntimeError(f"chromium did not open its DevTools port; it said: {said.strip() or '(nothing)'}")
        port, path = port_file.read_text().split()[:2]
        self.ws = websocket.create_connection(f"ws://127.0.0.1:{port}{path}", timeout=30, suppress_origin=True)
        self.ids = itertools.count(1)
        self.events: list[dict] = []
        self.session = None
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Runtime", "Log", "Page"):
            self.call(f"{domain}.enable")

    def _start(self, profile: Path) -> Path | None:
        """Start chromium on ``profile``; its DevTools port file, or None (chromium stopped) if it never came."""
        exe = shutil.which("chromium")
        with (profile.parent / f"{profile.name}.stderr").open("wb") as err:
            self.proc = subprocess.Popen(
                [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-extensions", "--no-default-browser-check", f"--user-data-dir={profile}",
                 "--remote-debugging-port=0", "--hide-scrollbars", "about:blank"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 45
        while not (port_file.is_file() and len(port_file.read_text().split()) >= 2):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                return None
            time.sleep(0.1)
        return port_file

    def call(self, method: str, **params):
        msg_id = next(self.ids)
        message = {"id": msg_id, "method": method, "params": params}
        if self.session and not method.startswith("Target."):
            message["sessionId"] = self.session
        self.ws.send(json.dumps(message))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == msg_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, event: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        seen = len(self.events)
        while time.monotonic() < deadline:
            for e in self.events[seen:]:
                if e.get("method") == event:
                    return e
            seen = len(self.events)
            self.events.append(json.loads(self.ws.recv()))
        raise TimeoutError(event)

    def js(self, expression: str):
        reply = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in reply:
            raise AssertionError(f"{expression}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def open(self, url: str, width: int = 1280, height: int = 900) -> None:
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)
        self.events.clear()
        self.call("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")

    def problems(self) -> list[str]:
        """Console errors, uncaught exceptions and browser-logged errors (e.g. CSP violations)."""
        out = []
        for e in self.events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                out.append(f"console: {params.get('args')}")
            elif method == "Runtime.exceptionThrown":
                out.append(f"exception: {params.get('exceptionDetails', {}).get('text')}")
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                out.append(f"log: {params['entry'].get('text')}")
        return out

    def screenshot(self, path: Path) -> Path:
        height = int(self.js("document.documentElement.scrollHeight"))
        self.call("Emulation.setDeviceMetricsOverride", width=1280, height=min(height, 16000), deviceScaleFactor=1,
                  mobile=False)
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        try:
            if getattr(self, "ws", None):
                self.ws.close()
        finally:
            if self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGTERM)
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                    self.proc.wait(10)


def _visible_rules(b: Browser) -> list[str]:
    return b.js("[...document.querySelectorAll('section.rule')].filter(s => s.offsetParent !== null)"
                ".map(s => s.dataset.rule)")


def _set(b: Browser, name: str, value: str) -> None:
    b.js(f"(() => {{ const el = document.querySelector('#filters [name={name}]'); el.value = {json.dumps(value)};"
         f" el.dispatchEvent(new Event({json.dumps('input' if name == 'q' else 'change')}, {{bubbles: true}})); }})()")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_report_renders_filters_and_runs_no_payload(browser, cli, tmp_path, capsys, lang):
    run = cli(*CASES["hostile"], "--lang", lang, "--json", "result.json", "--html", "report.html", "-q")
    assert run.exit_code == 1, run.stderr
    result = run.result
    b = browser
    b.open((tmp_path / "report.html").as_uri())

    # no payload ran, none became markup, and the page logged no error (a blocked script would log one)
    assert b.js("typeof window.__pwned") == "undefined"
    assert b.js("document.scripts.length") == 1
    assert b.js("document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert b.js("[...document.querySelectorAll('*')].filter(e => [...e.attributes]"
                ".some(a => a.name.startsWith('on'))).length") == 0
    text = b.js("document.body.innerText")
    for payload in PAYLOADS:
        assert payload in text

    # the layout held: one section per rule, one table row per sample
    assert b.js("document.querySelectorAll('section.rule').length") == len(result["results"])
    for r in result["results"]:
        rows = b.js(f"document.querySelector('section[data-rule={json.dumps(r['rule_id'])}]')"
                    ".querySelectorAll('tr.sample').length")
        assert rows == len(r["samples"]), r["rule_id"]

    # key numbers and charts
    s = result["summary"]
    for name in ("violations", "failed", "passed"):
        assert b.js(f"document.querySelector('[data-metric={name}] .v').textContent") == f"{s[name]:,}"
    charts = b.js("[...document.querySelectorAll('svg.chart')].map(c => { const r = c.getBoundingClientRect();"
                  " return [c.dataset.chart, Math.round(r.width), Math.round(r.height)]; })")
    assert {name for name, _, _ in charts} == {"status", "severity", "regulation", "clause"}
    assert all(w > 50 and h > 50 for _, w, h in charts), charts
    high = b.js("document.querySelector('svg[data-chart=severity] rect.sev-high').getBBox().width")
    assert high > 0
    assert b.js("document.querySelectorAll('svg[data-chart=regulation] g.bar').length") == 7

    # the filters
    everything = _visible_rules(b)
    assert len(everything) == len(result["results"])
    _set(b, "severity", "high")
    assert sorted(_visible_rules(b)) == sorted(r["rule_id"] for r in result["results"] if r["severity"] == "high")
    high_rules = sum(r["severity"] == "high" for r in result["results"])
    assert b.js("document.getElementById('shown').textContent") == \
        labels(lang)["shown"].format(shown=high_rules, total=len(result["results"]))
    _set(b, "severity", "")
    _set(b, "status", "fail")
    assert sorted(_visible_rules(b)) == sorted(r["rule_id"] for r in result["results"] if r["status"] == "fail")
    _set(b, "regulation", "M4")
    assert _visible_rules(b) == ["HOS-001"]
    _set(b, "regulation", "")
    _set(b, "status", "")
    _set(b, "q", "onerror")
    visible_rows = b.js("[...document.querySelectorAll('tr.sample')].filter(t => t.offsetParent !== null)"
                        ".map(t => t.innerText)")
    assert visible_rows and all("onerror" in row for row in visible_rows)
    assert sorted(_visible_rules(b)) == sorted(r["rule_id"] for r in result["results"]
                                               if any("onerror" in x["message"] for x in r["samples"]))
    _set(b, "q", "")
    assert _visible_rules(b) == everything
    b.js("document.querySelector('a.filter-link[data-filter=severity][data-value=low]').click()")
    assert _visible_rules(b) == [r["rule_id"] for r in result["results"] if r["severity"] == "low"]
    b.js("document.querySelector('a.filter-link[data-filter=severity][data-value=low]').click()")
    assert _visible_rules(b) == everything

    assert b.js("typeof window.__pwned") == "undefined"
    assert b.problems() == []
    shot = b.screenshot(tmp_path / f"report-{lang}.png")
    assert shot.stat().st_size > 10_000
    with capsys.disabled():
        print(f"\nbrowser screenshot ({lang}): {shot}")
