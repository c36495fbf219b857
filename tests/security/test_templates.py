"""Templates cannot escape their sandbox, read the environment or hang a run.

Report templates (`--templates DIR`, through the real `checker report` and `checker check`
command lines) and rule messages (through `checker lint` / `check` and the renderer) are
run against a corpus of known Jinja sandbox escapes, resource bombs and file tricks; each
is a clean coded problem (T501 for reports, X211 for messages), a canary environment
variable never shows in any output, and nothing runs longer than its budget.
"""

from __future__ import annotations

import os
import re
import string
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker import sandbox
from checker.messages import CUT, MESSAGE_CHARS, MessageTemplate
from checker.render import base
from checker.render.base import fmt_label
from checker.render.labels import LABELS, LANGS, labels
from conftest import ROOT

QS = ROOT / "examples" / "quickstart"
CHECK = ["check", "--data", str(QS / "data"), "--rules", str(QS / "rules"), "--schemas", str(QS / "schemas"),
         "--as-of", "2026-06-30"]
CANARY = "canary-7d1f0c9e-not-for-templates"

# Known escapes of Jinja's sandbox, and what a template could reach through this project's own objects.
ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ lipsum.__globals__['os'].environ }}",
    "{{ cycler.__init__.__globals__.os.environ }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ range.__self__ }}",
    "{{ dict.__base__.__subclasses__() }}",
    "{{ '{0.__class__.__mro__}'.format(1) }}",
    "{{ '{0.__init__.__globals__}'.format(cycler) }}",
    "{{ '{x.__class__}'.format_map({'x': 1}) }}",
    "{{ '{x.__globals__}' | fill(x=lipsum) }}",
    "{{ ('{a.' ~ '__class__}') | fill(a=1) ~ L.x.__class__ }}",
    "{{ ''|attr('__class__') }}",
    "{{ view|attr('__dict__') }}",
    "{{ view.rules|map(attribute='__class__')|list }}",
    "{{ view.rules|selectattr('__class__')|list }}",
    "{{ view.rules|sort(attribute='__class__.__name__')|list }}",
    "{{ '%s'|format(view) }}",
    "{{ '%(a)s' % {'a': view} }}",
    "{% for x in loop.__class__.__mro__ %}{{ x }}{% endfor %}",
    "{% for i in [1] %}{{ loop.__class__.__init__.__globals__ }}{% endfor %}",
    "{{ self._TemplateReference__context }}",
    "{{ self.__init__.__globals__ }}",
    "{{ L.__class__ }}",
    "{{ L.copy }}",
    "{{ view.__dict__ }}",
    "{{ view.rules[0].__class__ }}",
    "{{ result.model_config }}",
    "{{ result.model_dump() }}",
    "{{ result.model_fields }}",
    "{{ result.__pydantic_fields__ }}",
    "{{ result.parse_file('/proc/self/environ') }}",
    "{{ result.model_validate_json('{}') }}",
    "{{ result.summary.model_copy() }}",
    "{{ fill.__globals__ }}",
    "{{ 'x'.format.__globals__ }}",
    "{{ (1).to_bytes(4, 'big') }}",
    "{{ 'x'.encode() }}",
    "{% set l = [] %}{{ l.append(l) }}",
    "{% set d = {} %}{{ d.update(a=1) }}",
    "{% macro m() %}{% endmacro %}{{ m.__globals__ }}",
    "{% import 'html/report.js' as js %}{{ js.__dict__ }}",
    "{{ dict.fromkeys([1]) }}",
    "{{ namespace(a=1).__class__ }}",
]

# Templates that would run for hours or take all memory, without a budget.
BOMBS = [
    "{% for i in range(10**9) %}{{ i }}{% endfor %}",
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "{% for i in range(100000) %}{% for j in range(100000) if j < 0 %}{% endfor %}{% endfor %}",
    "{% for i in range(100000) %}{% for c in 'ab' * 100000 %}{% endfor %}{% endfor %}",
    "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}",
    "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "{% for x in [1] recursive %}{{ loop([1, 1]) }}{% endfor %}",
    "{{ 'x' * 10**12 }}",
    "{{ ['x'] * 10**12 }}",
    "{{ 10 ** 1000000000 }}",
    "{% set ns = namespace(x=3) %}{% for i in range(64) %}{% set ns.x = ns.x * ns.x %}{% endfor %}{{ ns.x }}",
    "{% set ns = namespace(s='xy') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
    "{% set ns = namespace(s='xy') %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
    "{% set ns = namespace(l=[1]) %}{% for i in range(64) %}{% set ns.l = ns.l + ns.l %}{% endfor %}",
    "{% set ns = namespace(s='x' * 10**7) %}{% for i in range(10**5) %}{{ ns.s }}{% endfor %}",
    "{% set s %}{% for i in range(10**5) %}{{ 'x' * 10**7 }}{% endfor %}{% endset %}{{ s|length }}",
    "{{ 'x'|center(10**12) }}",
    "{{ 'x'.rjust(10**12) }}",
    "{{ 'a\nb'|indent(10**12) }}",
    "{{ ('x ' * 1000)|wordwrap(1, wrapstring='y' * 10**6) }}",
    "{{ 'ab'.replace('', 'x' * 10**8) }}",
    "{{ 'ab'|replace('', 'x' * 10**8) }}",
    "{{ '%999999999999d'|format(1) }}",
    "{{ '%*d' % (10**9, 1) }}",
    "{{ '{:999999999999}'.format(1) }}",
    "{{ '{:.999999999999f}'.format(1.0) }}",
    "{{ ([view] * 10**5)|join }}",
    "{{ [1]|batch(10**12, 'x')|list }}",
    "{{ [1]|slice(10**12)|list }}",
    "{{ range(100000)|batch(1)|sum(start=[]) }}",
    "{{ range(10)|tojson(indent=10**9) }}",
    "{{ lipsum(10**7) }}",
]


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A result file written by a real `checker check` of the quickstart."""
    from click.testing import CliRunner

    from checker.cli import main

    folder = tmp_path_factory.mktemp("result")
    run = CliRunner().invoke(main, [*CHECK, "--json", str(folder / "result.json"), "-q"], catch_exceptions=False)
    assert run.exit_code == 1, run.stderr
    return folder / "result.json"


@pytest.fixture
def canary(monkeypatch):
    monkeypatch.setenv("CHECKER_CANARY", CANARY)
    return CANARY


def _template(tmp_path: Path, body: str, name: str = "html/report.html.j2") -> Path:
    folder = tmp_path / "tpl"
    (folder / name).parent.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("<p>\n" + body + "\n", encoding="utf-8")
    return folder


def _refused(run, out: Path, canary: str) -> None:
    """One T501 line naming the template, exit 2, no output file and nothing of the environment."""
    assert run.exit_code == 2, (run.stdout, run.stderr)
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and " T501 " in lines[0] and "report" in lines[0], run.stderr
    assert "Traceback" not in run.stdout + run.stderr and "internal error" not in run.stderr.lower()
    assert canary not in run.stdout + run.stderr and not out.exists()
    assert "PATH=" not in run.stderr


# --- fill: a placeholder substitution, never str.format ---------------------------------------------------

def test_fill_renders_every_label_exactly_as_str_format_did():
    values = {"n": "1,234", "limit": "1,000 kB", "shown": 3, "total": 12, "id": "CS-001", "title": "T <b>",
              "clauses": "M1.2, M4.5", "severity": "high", "dataset": "crm.complaints", "keyword": "pattern",
              "violations": "1,000", "checked": 7, "waived": 0, "store": "history.duckdb"}
    filled = 0
    for key in LABELS:
        for text in (labels(lang)[key] for lang in LANGS):
            names = {n for _, n, _, _ in string.Formatter().parse(text) if n}
            assert fmt_label(text, **{n: values[n] for n in names}) == text.format(**{n: values[n] for n in names})
            filled += bool(names)
    assert filled == 18  # every label with a placeholder, in both languages


@pytest.mark.parametrize("text", ["{x.__globals__}", "{x.__init__.__globals__[os].environ}", "{x[0]}", "{x!r}",
                                  "{x:>999999999}", "{0}", "{}", "{x.y}", "{ x }", "{x", "x}"])
def test_fill_interprets_nothing_but_plain_placeholders(text):
    value = sandbox.Budget  # any object: a filter makes it text itself, and only for a plain {x}
    assert fmt_label(text, x=value) == text
    assert fmt_label("a {x} b {x}", x=42) == "a 42 b 42"
    assert fmt_label("{x} {y}", x="{y}", y="Y") == "{y} Y"  # a value is never filled in turn


# --- report templates: the escape corpus through the real command line ----------------------------------

@pytest.mark.parametrize("body", ESCAPES)
def test_report_template_escapes_are_one_T501_and_leak_nothing(cli, tmp_path, saved, canary, body):
    folder = _template(tmp_path, body)
    run = cli("report", str(saved), "--html", "out.html", "--templates", str(folder))
    _refused(run, tmp_path / "out.html", canary)
    assert "report.html.j2:2:" in run.stderr


@pytest.mark.parametrize("body", ESCAPES[::3])
def test_markdown_and_check_refuse_the_same_escapes(cli, tmp_path, canary, body):
    folder = _template(tmp_path, body, "md/report.md.j2")
    run = cli(*CHECK, "--md", "out.md", "--templates", str(folder), "-q")
    _refused(run, tmp_path / "out.md", canary)


def test_fill_from_a_template_fills_plain_names_only(cli, tmp_path, saved, canary):
    body = "{{ '{x.__init__.__globals__[os].environ}|{n}' | fill(x=cycler, n=7) }}"
    run = cli("report", str(saved), "--html", "out.html", "--templates", str(_template(tmp_path, body)))
    assert run.exit_code == 0, run.stderr
    html = (tmp_path / "out.html").read_text(encoding="utf-8")
    assert html == "<p>\n{x.__init__.__globals__[os].environ}|7\n" and canary not in html


def test_a_too_deep_message_is_a_syntax_problem_not_a_crash(cli, tmp_path):
    path = _rules(tmp_path, "{{ " + "(" * 300 + "1" + ")" * 300 + " }}")
    run = cli("lint", str(path), "--schemas", str(QS / "schemas"))
    assert run.exit_code == 1 and " X205 " in run.stdout and "nests too deeply" in run.stdout


@pytest.mark.parametrize("body", BOMBS)
def test_report_template_bombs_stop_within_their_budget(cli, tmp_path, saved, canary, body):
    folder = _template(tmp_path, body)
    started = time.monotonic()
    run = cli("report", str(saved), "--html", "out.html", "--templates", str(folder))
    _refused(run, tmp_path / "out.html", canary)
    assert time.monotonic() - started < 20


def test_the_deadline_stops_a_render_whatever_its_step_budget(cli, tmp_path, saved, canary, monkeypatch):
    monkeypatch.setattr(sandbox, "RENDER_SECONDS", 0.5)
    monkeypatch.setattr(sandbox, "MAX_STEPS", 10**12)
    folder = _template(tmp_path, "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}")
    started = time.monotonic()
    run = cli("report", str(saved), "--html", "out.html", "--templates", str(folder))
    _refused(run, tmp_path / "out.html", canary)
    assert "longer than 0.5 seconds" in run.stderr and time.monotonic() - started < 10


def test_what_report_templates_may_do_still_works(cli, tmp_path, saved):
    body = ("{{ L.shown|fill(shown=view.failing|length, total=view.rules|length) }}|{{ '{:,}'.format(1234567) }}|"
            "{{ '%.2f'|format(2/3) }}|{% for r in view.rules if r.status == 'fail' %}{{ r.id }}{{ loop.index }}"
            "{% if not loop.last %},{% endif %}{% endfor %}|{{ result.summary.rules }}|"
            "{% set ns = namespace(n=0) %}{% for r in view.rules %}{% set ns.n = ns.n + r.violations %}{% endfor %}"
            "{{ ns.n }}|{{ view.rules|map(attribute='id')|select('string')|list|length }}|"
            "{{ ', '.join(['a', 'b']) }}|{{ 'a-b'.split('-')|join('+') }}|{{ cycler('x', 'y').next() }}")
    folder = _template(tmp_path, body)
    run = cli("report", str(saved), "--html", "out.html", "--templates", str(folder), "--lang", "en")
    assert run.exit_code == 0, run.stderr
    html = (tmp_path / "out.html").read_text(encoding="utf-8")
    fields = html.split("\n")[1].split("|")
    assert fields[0].endswith("rules shown") and fields[1:3] == ["1,234,567", "0.67"]
    assert fields[3].startswith("QS-0011,QS-0022,") and fields[7:] == ["a, b", "a+b", "x"]


def test_a_template_outside_its_folder_is_never_read(cli, tmp_path, saved, canary):
    secret = tmp_path / "secret.txt"
    secret.write_text(CANARY, encoding="utf-8")
    folder = _template(tmp_path, "{% include 'html/leak.j2' %}")
    (folder / "html" / "leak.j2").symlink_to(secret)
    run = cli("report", str(saved), "--html", "out.html", "--templates", str(folder))
    _refused(run, tmp_path / "out.html", canary)
    assert "leads outside" in run.stderr
    (folder / "html" / "report.html.j2").unlink()
    (folder / "html" / "report.html.j2").symlink_to("/proc/self/environ")
    run = cli("report", str(saved), "--html", "out.html", "--templates", str(folder))
    _refused(run, tmp_path / "out.html", canary)


def test_a_fifo_or_a_huge_file_is_not_a_template(cli, tmp_path, saved, canary, monkeypatch):
    folder = tmp_path / "tpl" / "html"
    folder.mkdir(parents=True)
    os.mkfifo(folder / "report.html.j2")  # opening it for reading would block forever
    run = cli("report", str(saved), "--html", "out.html", "--templates", str(folder.parent))
    _refused(run, tmp_path / "out.html", canary)
    assert "not a regular file" in run.stderr
    (folder / "report.html.j2").unlink()
    monkeypatch.setattr(base, "MAX_TEMPLATE_BYTES", 1000)
    (folder / "report.html.j2").write_text("x" * 1001, encoding="utf-8")
    run = cli("report", str(saved), "--html", "out.html", "--templates", str(folder.parent))
    _refused(run, tmp_path / "out.html", canary)


# --- messages: the subset, refused by lint and when rules load -------------------------------------------

MESSAGE_ESCAPES = [
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "a call"),
    ("{{ ''.__class__.__mro__ }}", "reading an attribute"),
    ("{{ cycler.__init__.__globals__.os.environ }}", "reading an attribute"),
    ("{{ complaint_id.__class__ }}", "reading an attribute"),
    ("{{ complaint_id['x'] }}", "reading an item"),
    ("{{ complaint_id[0:2] }}", "reading an item"),
    ("{{ lipsum() }}", "a call"),
    ("{{ complaint_id.upper() }}", "a call"),
    ("{{ '{0.__class__}'.format(complaint_id) }}", "a call"),
    ("{{ complaint_id|attr('__class__') }}", "the filter 'attr'"),
    ("{{ complaint_id|format('%s') }}", "the filter 'format'"),
    ("{{ complaint_id|map(attribute='x') }}", "the filter 'map'"),
    ("{{ complaint_id|center(999999999) }}", "the filter 'center'"),
    ("{{ complaint_id|replace('', 'x') }}", "the filter 'replace'"),
    ("{{ complaint_id|pprint }}", "the filter 'pprint'"),
    ("{% for i in range(9) %}{{ complaint_id }}{% endfor %}", "a loop"),
    ("{% for a in [1] %}{% for b in [1] %}{{ a }}{% endfor %}{% endfor %}", "a loop"),
    ("{% set x = complaint_id %}{{ x }}", "an assignment"),
    ("{% macro m() %}{% endmacro %}", "a macro"),
    ("{% include 'x' %}", "another template"),
    ("{% import 'x' as y %}", "another template"),
    ("{% with a = 1 %}{{ a }}{% endwith %}", "a {% with %} block"),
    ("{% filter upper %}x{% endfilter %}", "a filter block"),
    ("{{ 9 ** 9 ** 9 }}", "'**'"),
    ("{{ self }}", "the name 'self'"),
    ("{{ {'a': complaint_id} }}", "a dict"),
    ("{{ complaint_id|default(*[1]) }}", "'*' or '**' arguments"),
    ("{{ complaint_id is callable }}", "the test 'callable'"),
    ("{{ " + "-" * 45 + "1 }}", "nested more than"),
    ("x" * 4001, "a template of 4,001 characters"),
]


def _rules(tmp_path: Path, en: str) -> Path:
    text = (QS / "rules" / "customer-service.yaml").read_text(encoding="utf-8")
    old = 'en: "Complaint id {{ complaint_id }} occurs more than once"'
    assert old in text
    quoted = en.replace("\\", "\\\\").replace('"', '\\"')
    path = tmp_path / "rules" / "customer-service.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text.replace(old, f'en: "{quoted}"'), encoding="utf-8")
    return path


@pytest.mark.parametrize("template, what", MESSAGE_ESCAPES)
def test_lint_refuses_a_message_outside_the_subset_at_its_position(cli, tmp_path, canary, template, what):
    path = _rules(tmp_path, template)
    line = next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "QS-003" in text)
    run = cli("lint", str(path), "--schemas", str(QS / "schemas"))
    assert run.exit_code == 1, run.stdout
    found = [x for x in run.stdout.splitlines() if " X211 " in x]
    assert len(found) == 1 and "rule QS-003: message (en)" in found[0] and what in found[0], run.stdout
    assert re.match(rf"{re.escape(str(path))}:(\d+):\d+: X211", found[0])
    assert int(found[0].split(":")[1]) > line and canary not in run.stdout + run.stderr


@pytest.mark.parametrize("template, what", MESSAGE_ESCAPES[::4])
def test_a_rule_file_lint_refuses_does_not_run(cli, tmp_path, canary, template, what):
    path = _rules(tmp_path, template)
    run = cli("check", "--data", str(QS / "data"), "--rules", str(path.parent), "--schemas", str(QS / "schemas"),
              "--as-of", "2026-06-30", "--json", "r.json")
    assert run.exit_code == 2 and " X211 " in run.stderr and "Traceback" not in run.stderr
    assert run.result is None and canary not in run.stdout + run.stderr
    run = cli("test", str(path), "--schemas", str(QS / "schemas"), "--as-of", "2026-06-30")
    assert " X211 " in run.stdout and run.exit_code == 2     # a rule that does not compile: a usage error
    # QS-003's two examples did not run, and the summary says why
    assert run.stdout.strip().splitlines()[-1] == "10 passed, 0 failed; 1 problem kept rules from running (see above)"


@pytest.mark.parametrize("template, what", MESSAGE_ESCAPES)
def test_the_renderer_refuses_the_same_templates_even_without_lint(canary, template, what):
    for lang in ("en", "zh"):
        text = MessageTemplate(template, template).render(lang, {"complaint_id": "C1"})
        assert len(text) <= MESSAGE_CHARS and canary not in text
        assert ("could not be rendered" if lang == "en" else "訊息無法產生") in text


def test_what_messages_may_do_renders():
    t = MessageTemplate("投訴 {{ id }}{% if late > 24 %}（逾時 {{ (late / 24)|round(1) }} 天）{% endif %}",
                        "{{ id|upper ~ '/' ~ (who|default('nobody')) }}: {{ late - 24 if late > 24 else 0 }} h"
                        "{% if who is none %} (unassigned){% elif who in ['a', 'b'] %} (team)"
                        "{% else %} ({{ who|mask }}){% endif %}")
    assert t.refusal() is None
    assert t.render("zh", {"id": "C1", "late": 60, "who": None}) == "投訴 C1（逾時 2.5 天）"
    assert t.render("en", {"id": "c1", "late": 60, "who": None}) == "C1/None: 36 h (unassigned)"
    assert t.render("en", {"id": "c1", "late": 2, "who": "13812345678"}) == "C1/13812345678: 0 h (138****5678)"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_long_message_is_cut_and_marked(lang):
    long = "長" * 5000
    for template in ("{{ v }}", "{{ v ~ v ~ v }}", "a" * 1500, "{{ v|upper }}{{ v }}"):
        text = MessageTemplate(template, template).render(lang, {"v": long})
        assert len(text) == MESSAGE_CHARS and text.endswith(CUT[lang])
    assert MessageTemplate("{{ v }}", "{{ v }}").render(lang, {"v": "x" * MESSAGE_CHARS}) == "x" * MESSAGE_CHARS


@pytest.mark.parametrize("template", ["{{ v * 100000000 }}", "{{ 100000000 * v }}", "{{ v * n }}", "{{ v % n }}",
                                      "{{ v ~ v ~ v ~ v ~ v ~ v ~ v ~ v ~ v ~ v ~ v ~ v ~ v ~ v ~ v ~ v }}",
                                      "{{ '%999999999d' % n }}", "{{ n * n * n * n * n * n * n * n * n * n }}"])
def test_message_arithmetic_and_joins_cannot_blow_up(template):
    started = time.monotonic()
    text = MessageTemplate(template, template).render("en", {"v": "x" * 10**7, "n": 10**8})
    assert len(text) <= MESSAGE_CHARS and time.monotonic() - started < 2


FRAGMENTS = ["{{ a }}", "{{ b }}", "{{ a ~ b }}", "{{ a * b }}", "{{ a + b }}", "{{ n * 3 }}", "{{ a|upper }}",
             "{{ a|truncate(5) }}", "{{ a|default('-') }}", "{{ n|round(2) }}", "{{ a|mask }}", "{% if a %}",
             "{% elif n > 1 %}", "{% else %}", "{% endif %}", "{% for x in a %}", "{% endfor %}", "{{ a.b }}",
             "{{ a[0] }}", "{{ a() }}", "{% set a = 1 %}", "{{ a|join }}", "{{ n ** 9 }}", "{{ a|center(9) }}",
             "{{ lipsum }}", "{{ self }}", "{{ a if n else b }}", "{{ (a ~ b) * n }}", "text ", "{{ '{0}'|format(a) }}",
             "{{ a is string }}", "{{ n // 0 }}", "{{ a in b }}", "{{ not a and b or n }}", "{% raw %}{{{% endraw %}"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=12),
       st.sampled_from(["x", "x" * 3000, "", "<b>"]), st.sampled_from([0, 7, 10**30, -2.5]))
def test_any_message_is_refused_or_renders_within_the_cap(parts, a, n):
    template = "".join(parts)
    message = MessageTemplate(template, template)
    error = message.syntax_error()
    refused = None if error else message.refusal()
    text = message.render("en", {"a": a, "b": "y", "n": n})
    assert isinstance(text, str) and len(text) <= MESSAGE_CHARS
    if error or refused:
        assert "could not be rendered" in text
    if refused:
        assert any(f in template for f in ("{% for", "{% set", ".b", "[0]", "()", "join", "**", "center",
                                            "self", "format"))


@pytest.mark.parametrize("body, refusal", [
    ("{{ ('\"' * 30000000) | e | length }}", "e of 30,000,000 characters"),          # refused before escaping
    ("{{ ('<😀' * 5000000) | escape }}", "escape of 10,000,000 characters"),
    ("{{ '😀' * 20000000 }}", "repeated"),                                        # counted at 4 bytes each
])
def test_growth_is_refused_before_the_text_is_made(cli, tmp_path, saved, canary, body, refusal):
    """A filter that multiplies its input (escaping: up to 6x), or text of wide characters, is weighed first."""
    folder = _template(tmp_path, body)
    run = cli("report", str(saved), "--html", "out.html", "--templates", str(folder))
    _refused(run, tmp_path / "out.html", canary)
    assert refusal in run.stderr, run.stderr


def test_autoescaped_output_is_weighed_before_it_is_escaped(cli, tmp_path, saved, canary):
    folder = _template(tmp_path, "{{ '&' * 12000000 }}")     # fits as text; six times that once escaped does not
    run = cli("report", str(saved), "--html", "out.html", "--templates", str(folder))
    _refused(run, tmp_path / "out.html", canary)
    assert "escaping a text of 12,000,000 characters" in run.stderr, run.stderr
