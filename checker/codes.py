"""Problem codes: each defined here once, with its meaning, and never given another.

A :class:`Code` is the code's text (``str(code) == "D403"``, so it prints, compares and
serialises as the text users and CI read) and its meaning.  :class:`checker.problems.Problem`
takes only a registered code.  A code's meaning is frozen: a new meaning gets a new code at the
end of its group, and a code no longer raised stays registered, retired, so it is never reused
(``tests/data/codes.txt`` holds the frozen list; ``tests/test_codes.py`` compares).
"""

from __future__ import annotations

from checker.i18n import Msg, _, render


class Code(str):
    """A registered problem code: its text, what it means, whether it is still raised."""

    meaning: Msg
    retired: bool

    def __new__(cls, text: str, meaning: Msg, retired: bool = False) -> Code:
        code = super().__new__(cls, text)
        code.meaning = meaning
        code.retired = retired
        return code

    def describe(self, lang: str | None = None) -> str:
        return str(render(self.meaning, lang))


REGISTRY: dict[str, Code] = {}


def _define(text: str, meaning: Msg, retired: bool = False) -> Code:
    assert text not in REGISTRY, text
    REGISTRY[text] = code = Code(text, meaning, retired)
    return code


def lookup(text: str) -> Code:
    """The registered code with this text (KeyError for an unknown one)."""
    return REGISTRY[text]


#: the code groups, by first letter, as the reference lists them
GROUPS = {
    "Y": _("YAML"),
    "R": _("rule model and rule files"),
    "X": _("expressions and templates"),
    "S": _("dataset schemas"),
    "D": _("data and inputs"),
    "W": _("warnings"),
    "T": _("tests, reports and outputs"),
    "H": _("run history"),
}

# Y: YAML files
Y001 = _define("Y001", _("YAML syntax error"))
Y002 = _define("Y002", _("document too large after alias expansion"))
Y003 = _define("Y003", _("file cannot be read"))

# C: the configuration file (checker.toml, [tool.checker])
C701 = _define("C701", _("unknown configuration key"))
C702 = _define("C702", _("bad configuration value"))
C703 = _define("C703", _("configuration file cannot be read"))

# R: rule files
R101 = _define("R101", _("unknown key"))
R102 = _define("R102", _("missing required key"))
R103 = _define("R103", _("wrong type"))
R104 = _define("R104", _("bad value"))
R105 = _define("R105", _("rule kind cannot be determined"), retired=True)
R110 = _define("R110", _("duplicate rule id"))
R111 = _define("R111", _("unknown dataset"))
R112 = _define("R112", _("unknown column"))
R113 = _define("R113", _("unknown parameter"))
R114 = _define("R114", _("unknown join alias"))
R115 = _define("R115", _("unknown clause id"))
R120 = _define("R120", _("no version in force"), retired=True)
R130 = _define("R130", _("ruleset version defined twice"))
R131 = _define("R131", _("ruleset versions in force on the same day"))
R132 = _define("R132", _("changelog does not match the versions"))
R133 = _define("R133", _("rule logic changed with only a patch version bump"))
R140 = _define("R140", _("extends cycle"))
R141 = _define("R141", _("extends an unknown ruleset"))
R142 = _define("R142", _("disables a rule that is not inherited"))

# X: rule expressions
X201 = _define("X201", _("expression syntax error"))
X202 = _define("X202", _("construct not allowed in rule expressions"))
X203 = _define("X203", _("function not allowed in rule expressions"))
X204 = _define("X204", _("aggregate function outside an aggregate rule"))
X205 = _define("X205", _("message template error"))
X206 = _define("X206", _("SQL does not type-check"))
X207 = _define("X207", _("cannot run on the Spark engine"))
X208 = _define("X208", _("data type not on the closed list"))
X209 = _define("X209", _("regenerated SQL differs from the checked expression"))
X210 = _define("X210", _("statement refused by the engine guard (not one read-only SELECT)"))
X211 = _define("X211", _("message template construct not allowed"))

# S: dataset schemas
S301 = _define("S301", _("invalid dataset schema"))
S302 = _define("S302", _("unsupported schema keyword"))
S303 = _define("S303", _("bad schema annotation"))
S304 = _define("S304", _("bad export dialect"))

# D: data and engines
D401 = _define("D401", _("data folder problem"))
D402 = _define("D402", _("dataset file missing"))
D403 = _define("D403", _("data file cannot be read"))
D404 = _define("D404", _("path escapes the data folder"))
D405 = _define("D405", _("unknown data format"))
D406 = _define("D406", _("unknown header"))
D407 = _define("D407", _("engine not available"))
D408 = _define("D408", _("input not fingerprinted"))
D409 = _define("D409", _("git revision is not a commit"))
D410 = _define("D410", _("export in a data lake the engine cannot read"))
D411 = _define("D411", _("bytes not valid in the export's encoding (read as U+FFFD)"))
D412 = _define("D412", _("two exports for one dataset"))

# W: warnings
W501 = _define("W501", _("rule without a message"))
W502 = _define("W502", _("rule without examples"))
W503 = _define("W503", _("waiver expired"))
W504 = _define("W504", _("waiver matched nothing"))
W505 = _define("W505", _("waiver expires soon"))
W506 = _define("W506", _("personal-data fingerprints not written (no fingerprint key)"))
W507 = _define("W507", _("rule joins datasets read in different time zones"))

# T: reports, results and rule examples
T501 = _define("T501", _("report template error"))
T502 = _define("T502", _("result file cannot be read"))
T503 = _define("T503", _("report cannot be written"))
T504 = _define("T504", _("PDF cannot be printed"))
T601 = _define("T601", _("rule example gives the wrong verdict"))
T602 = _define("T602", _("rule example cannot run"))

# H: the run history (--history, checker history)
H801 = _define("H801", _("history store cannot be opened"))
H802 = _define("H802", _("history store made by a newer checker"))
H803 = _define("H803", _("history chain broken"))
H804 = _define("H804", _("history store busy (another run holds it)"))
