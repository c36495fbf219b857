"""checker.render is a lazy package: the command line does not pay for every format, and nothing that
worked before the package became lazy stops working."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def _python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_command_line_starts_without_the_formats_or_jinja():
    loaded = _python("import sys, checker.cli; print(sorted(m for m in sys.modules "
                     "if m.startswith(('jinja2', 'checker.render.'))))")
    assert "checker.render.formats" not in loaded and "'jinja2'" not in loaded
    assert "checker.render.inert" in loaded


def test_the_packages_names_and_submodules_are_there_on_first_use():
    out = _python("import checker.render as r; print(r.pdf.__name__, sorted(r.RENDERERS), "
                  "callable(r.write_all), 'html' in dir(r), 'load_result' in dir(r))")
    assert out.split() == ["checker.render.pdf", "['github',", "'html',", "'junit',", "'md',", "'sarif']",
                           "True", "True", "True"]
    missing = subprocess.run([sys.executable, "-c", "import checker.render as r; r.no_such_thing"], cwd=ROOT,
                             capture_output=True, text=True, check=False)
    assert missing.returncode == 1 and "AttributeError" in missing.stderr


def test_a_format_with_neither_template_nor_render_is_refused_when_defined():
    import pytest

    from checker.render.base import Renderer

    with pytest.raises(TypeError, match="needs a template or a render"):
        class Blank(Renderer):
            name, suffix, syntax = "blank", ".txt", "text"

    class Templated(Renderer):
        name, suffix, syntax, template = "t", ".txt", "text", "md/report.md.j2"

    class Own(Renderer):
        name, suffix, syntax = "own", ".txt", "text"

        def render(self, result, ctx):
            return "mine"

    assert Templated.template and Own().render(None, None) == "mine"
