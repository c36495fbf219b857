"""Markdown for pull-request comments and GitHub's job summary.

Compact: the verdict, the counts, failing rules with a few samples each.  GitHub
refuses a step summary over 1 MiB, so when the text would pass ``LIMIT`` bytes the
samples per rule are cut (then the failing rules listed), and the report says so.
"""

from __future__ import annotations

from checker.model.result import Result
from checker.render.base import Context, Renderer
from checker.render.view import build

LIMIT = 1_000_000          # bytes; GitHub's step-summary limit is 1 MiB (1,048,576)
SAMPLES = 5                # samples listed per failing rule when there is room


class MarkdownRenderer(Renderer):
    name = "md"
    suffix = ".md"
    syntax = "md"
    template = "md/report.md.j2"
    limit = LIMIT

    def render(self, result: Result, ctx: Context) -> str:
        view = build(result, ctx.lang)
        cap, rule_cap, truncated = SAMPLES, None, False
        while True:
            text = self.render_template(self.template, ctx, view, sample_cap=cap, rule_cap=rule_cap,
                                        truncated=truncated, limit_text=f"{self.limit // 1000:,} kB")
            if len(text.encode("utf-8")) <= self.limit:
                return text
            truncated = True
            if cap > 0:
                cap //= 2
            else:
                rule_cap = len(view.failing) // 2 if rule_cap is None else rule_cap // 2
                if rule_cap == 0:
                    return text  # the fixed parts alone exceed the limit: nothing left to cut
