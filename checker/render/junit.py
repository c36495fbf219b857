"""JUnit XML for CI test tabs: a testsuite per ruleset, a testcase per rule.

Structural checks (``schema:*``) form one suite per dataset, named ``schema:<dataset>``.
A failing rule is a ``<failure>`` whose message gives the counts and whose text lists
the samples as ``file:row: message``; an errored rule is an ``<error>``, a skipped one
``<skipped>``.  Rendered from ``reports/junit/report.xml.j2`` with XML autoescaping.
"""

from __future__ import annotations

from checker.render.base import Renderer


class JunitRenderer(Renderer):
    name = "junit"
    suffix = ".xml"
    syntax = "xml"
    template = "junit/report.xml.j2"
