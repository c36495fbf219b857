"""The HTML auditor report: one self-contained file (inline CSS, SVG and script), offline.

Rendered from ``reports/html/report.html.j2`` with autoescaping; the filter script is
``reports/html/report.js`` and the page's Content-Security-Policy allows exactly that
script (by its sha256) and nothing from outside, so even a payload that slipped past
escaping could not run or load anything.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from markupsafe import Markup

from checker.render.base import Context, Renderer
from checker.render.view import View


class HtmlRenderer(Renderer):
    name = "html"
    suffix = ".html"
    syntax = "html"
    template = "html/report.html.j2"
    script = "html/report.js"

    def extra(self, view: View, ctx: Context) -> dict[str, Any]:
        script = self.render_template(self.script, ctx, view, syntax="js")
        digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
        # The script is our template's text (it reads labels from data- attributes, never from the result).
        return {"script": Markup(script), "script_hash": f"sha256-{digest}"}
