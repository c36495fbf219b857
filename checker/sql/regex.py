"""The two regular-expression translators: ECMA-262 (JSON Schema ``pattern``) to RE2 (DuckDB), and RE2
to java.util.regex (Spark), each keeping the pattern's meaning or refusing it.

A leaf: it imports nothing of the checker but the message markers.
"""

from __future__ import annotations

import re

from checker.i18n import Msg, _


class SparkUnsupported(ValueError):
    """A construct with no Spark equivalent of the same meaning (its one argument: a message)."""

    @property
    def message(self) -> Msg | str:
        """Why, in no language yet."""
        return self.args[0] if self.args else type(self).__name__


# -- ECMA-262 patterns (JSON Schema) -> RE2 (DuckDB) ---------------------------------------------------

class PatternError(ValueError):
    """An ECMA-262 pattern construct with no RE2 equivalent (its one argument: a message)."""

    @property
    def message(self) -> Msg | str:
        """Why, in no language yet."""
        return self.args[0] if self.args else type(self).__name__


#: ECMA-262 General_Category long names (and aliases) -> the short names RE2 knows.
_GENERAL_CATEGORY = {
    "Letter": "L", "Uppercase_Letter": "Lu", "Lowercase_Letter": "Ll", "Titlecase_Letter": "Lt",
    "Modifier_Letter": "Lm", "Other_Letter": "Lo", "Mark": "M", "Combining_Mark": "M",
    "Nonspacing_Mark": "Mn", "Spacing_Mark": "Mc", "Enclosing_Mark": "Me", "Number": "N",
    "Decimal_Number": "Nd", "digit": "Nd", "Letter_Number": "Nl", "Other_Number": "No",
    "Punctuation": "P", "punct": "P", "Connector_Punctuation": "Pc", "Dash_Punctuation": "Pd",
    "Open_Punctuation": "Ps", "Close_Punctuation": "Pe", "Initial_Punctuation": "Pi",
    "Final_Punctuation": "Pf", "Other_Punctuation": "Po", "Symbol": "S", "Math_Symbol": "Sm",
    "Currency_Symbol": "Sc", "Modifier_Symbol": "Sk", "Other_Symbol": "So", "Separator": "Z",
    "Space_Separator": "Zs", "Line_Separator": "Zl", "Paragraph_Separator": "Zp", "Other": "C",
    "Control": "Cc", "cntrl": "Cc", "Format": "Cf", "Surrogate": "Cs", "Private_Use": "Co",
}
_GC_SHORT = frozenset(_GENERAL_CATEGORY.values())
#: ECMA-262 WhiteSpace and LineTerminator code points (what \s matches), as RE2 class items.
_ECMA_SPACE = ("\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}"
               "\\x{205F}\\x{3000}\\x{FEFF}")
#: ECMA-262 LineTerminator (what . does not match).
_ECMA_DOT = "[^\\n\\r\\x{2028}\\x{2029}]"
_HEX = frozenset("0123456789abcdefABCDEF")
#: Escapes that mean the same in both dialects.
_SAME = frozenset("dDwWbBfnrtv")


def _property(body: str, negated: bool) -> str:
    name, _sep, value = body.partition("=")
    if value:
        if name in ("General_Category", "gc"):
            short = _GENERAL_CATEGORY.get(value, value if value in _GC_SHORT else None)
        elif name in ("Script", "sc"):
            short = value
        else:
            raise PatternError(_("\\p{{{name}}} is not supported", name=body))
    else:
        short = _GENERAL_CATEGORY.get(name, name)
    if short is None:
        raise PatternError(_("\\p{{{name}}} is not supported", name=body))
    return f"\\{'P' if negated else 'p'}{{{short}}}"


def re2_pattern(pattern: str) -> str:
    """An ECMA-262 regular expression (JSON Schema ``pattern``) rewritten for RE2 with the same meaning.

    Unicode property names, ``\\u`` escapes (four hex digits), ``\\s``, ``.``, ``[]``/``[^]`` and named groups are
    translated; constructs RE2 cannot run (backreferences, lookaround, inline flags) raise PatternError.
    The result must still compile in RE2 (the schema loader checks that).
    """
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            if i + 1 >= n:
                raise PatternError(_("the pattern ends with a lone backslash"))
            nxt = pattern[i + 1]
            if nxt in "pP" and i + 2 < n and pattern[i + 2] == "{":
                end = pattern.find("}", i + 3)
                if end < 0:
                    raise PatternError(_("unterminated \\p{...}"))
                out.append(_property(pattern[i + 3:end], nxt == "P"))
                i = end + 1
                continue
            if nxt == "u":
                if pattern.startswith("{", i + 2):
                    end = pattern.find("}", i + 3)
                    digits = pattern[i + 3:end] if end > 0 else ""
                    if not digits or not set(digits) <= _HEX:
                        raise PatternError(_("malformed \\u{...} escape"))
                    out.append(f"\\x{{{digits}}}")
                    i = end + 1
                    continue
                digits = pattern[i + 2:i + 6]
                if len(digits) != 4 or not set(digits) <= _HEX:
                    raise PatternError(_("malformed \\u escape"))
                code = int(digits, 16)
                low = pattern[i + 8:i + 12] if pattern.startswith("\\u", i + 6) else ""
                if 0xD800 <= code <= 0xDBFF and len(low) == 4 and set(low) <= _HEX \
                        and 0xDC00 <= int(low, 16) <= 0xDFFF:
                    code = 0x10000 + ((code - 0xD800) << 10) + (int(low, 16) - 0xDC00)
                    i += 6
                out.append(f"\\x{{{code:X}}}")
                i += 6
                continue
            if nxt == "x":
                digits = pattern[i + 2:i + 4]
                if len(digits) != 2 or not set(digits) <= _HEX:
                    raise PatternError(_("malformed \\x escape"))
                out.append(f"\\x{digits}")
                i += 4
                continue
            if nxt == "c" and i + 2 < n and pattern[i + 2].isascii() and pattern[i + 2].isalpha():
                out.append(f"\\x{{{ord(pattern[i + 2]) % 32:X}}}")
                i += 3
                continue
            if nxt == "s":
                out.append(_ECMA_SPACE if in_class else f"[{_ECMA_SPACE}]")
                i += 2
                continue
            if nxt == "S":
                if in_class:
                    raise PatternError(_("\\S inside a character class is not supported"))
                out.append(f"[^{_ECMA_SPACE}]")
                i += 2
                continue
            if nxt == "0" and not pattern[i + 2:i + 3].isdigit():
                out.append("\\x00")
                i += 2
                continue
            if nxt == "b" and in_class:  # [\b] is a backspace in ECMA-262
                out.append("\\x08")
                i += 2
                continue
            if nxt.isdigit() or nxt == "k":
                raise PatternError(_("backreferences and octal escapes are not supported"))
            if nxt in _SAME or not nxt.isalnum():
                out.append(pattern[i:i + 2])
                i += 2
                continue
            raise PatternError(_("the escape \\{escape} is not supported", escape=nxt))
        if in_class:
            if ch == "]":
                in_class = False
            elif ch == "[":
                ch = "\\["
            out.append(ch)
            i += 1
            continue
        if ch == "[":
            if pattern.startswith("[]", i):
                out.append("[^\\x00-\\x{10FFFF}]")
                i += 2
                continue
            if pattern.startswith("[^]", i):
                out.append("[\\x00-\\x{10FFFF}]")
                i += 3
                continue
            in_class = True
            out.append("[^" if pattern.startswith("[^", i) else "[")
            i += 2 if pattern.startswith("[^", i) else 1
            if i < n and pattern[i] == "]":  # ECMA closes here; the empty cases are handled above
                raise PatternError(_("malformed character class"))
            continue
        if ch == ".":
            out.append(_ECMA_DOT)
            i += 1
            continue
        if ch == "(" and pattern.startswith("(?", i):
            rest = pattern[i + 2:i + 4]
            if rest[:1] == ":":
                out.append("(?:")
                i += 3
                continue
            if rest[:1] == "<" and rest[1:2] not in ("=", "!"):
                out.append("(?P<")
                i += 3
                continue
            raise PatternError(_("lookaround assertions and inline flags are not supported"))
        out.append(ch)
        i += 1
    if in_class:
        raise PatternError(_("unterminated character class"))
    return "".join(out)


# -- regular expressions: RE2 -> java.util.regex -----------------------------------------------------

_POSIX = {"alpha": r"\p{Alpha}", "digit": r"0-9", "alnum": r"\p{Alnum}", "upper": r"\p{Upper}",
          "lower": r"\p{Lower}", "space": r"\t\n\x0B\f\r ", "punct": r"\p{Punct}", "xdigit": r"0-9A-Fa-f",
          "word": r"\w", "blank": r"\t ", "cntrl": r"\p{Cntrl}", "graph": r"\p{Graph}", "print": r"\p{Print}",
          "ascii": r"\x00-\x7F"}
_RE2_SPACE = r"\t\n\f\r "          # RE2's \s (Java's also matches \x0B)


def java_regex(pattern: str) -> str:
    """An RE2 pattern rewritten for java.util.regex with the same meaning (raises SparkUnsupported)."""
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = False
    class_start = False
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            if i + 1 >= n:
                raise SparkUnsupported(_("the pattern ends with a lone backslash"))
            nxt = pattern[i + 1]
            if nxt == "Q":
                end = pattern.find("\\E", i + 2)
                end = n if end < 0 else end
                out.append(pattern[i:end + 2])
                i = end + 2
                continue
            if nxt == "s":
                out.append(_RE2_SPACE if in_class else f"[{_RE2_SPACE}]")
            elif nxt == "S":
                if in_class:
                    raise SparkUnsupported(_("\\S inside a character class has no Java equivalent"))
                out.append(f"[^{_RE2_SPACE}]")
            elif nxt in "C":
                raise SparkUnsupported(_("\\C (any byte) has no Java equivalent"))
            elif nxt in "bB" and not in_class:
                # RE2's word boundary is ASCII; Java 17's \b also treats Chinese and other letters as word characters
                out.append(_ASCII_BOUNDARY if nxt == "b" else _ASCII_NON_BOUNDARY)
            elif nxt in "pP" and i + 2 < n and pattern[i + 2] == "{":
                end = pattern.find("}", i + 3)
                if end < 0:
                    raise SparkUnsupported(_("unterminated \\p{...}"))
                out.append(_java_property(pattern[i + 3:end], nxt == "P"))
                i = end + 1
                class_start = False
                continue
            elif nxt.isdigit():
                j = i + 1
                while j < n and j < i + 4 and pattern[j] in "01234567":
                    j += 1
                if j == i + 1:
                    raise SparkUnsupported(_("the escape \\{escape} is not supported", escape=nxt))
                out.append(f"\\x{{{int(pattern[i + 1:j], 8):X}}}")   # RE2 octal; in Java a backreference
                i = j
                class_start = False
                continue
            elif nxt == "x" and i + 2 < n and pattern[i + 2] == "{":
                end = pattern.find("}", i + 3)
                if end < 0:
                    raise SparkUnsupported(_("unterminated \\x{...}"))
                out.append(pattern[i:end + 1])
                i = end + 1
                class_start = False
                continue
            else:
                out.append(pattern[i:i + 2])
            i += 2
            class_start = False
            continue
        if in_class:
            if ch == "]" and not class_start:
                in_class = False
                out.append(ch)
            elif ch == "[" and pattern.startswith("[:", i):
                end = pattern.find(":]", i + 2)
                name = pattern[i + 2:end] if end > 0 else ""
                negated = name.startswith("^")
                if negated or name not in _POSIX:
                    raise SparkUnsupported(_("the class [:{name}:] is not supported", name=name))
                out.append(_POSIX[name])
                i = end + 2
                class_start = False
                continue
            elif ch == "[":
                out.append("\\[")
            elif ch == "&" and pattern.startswith("&&", i):
                out.append("&\\&")
                i += 2
                class_start = False
                continue
            else:
                out.append(ch)
            i += 1
            class_start = False
            continue
        if ch == "[":
            in_class = True
            if pattern.startswith("[^", i):
                out.append("[^")
                i += 2
            else:
                out.append("[")
                i += 1
            class_start = True          # a ']' right after '[' or '[^' is a literal in both dialects
            continue
        if ch == "{" and not _QUANTIFIER.match(pattern, i):
            out.append("\\{")           # RE2 reads a brace that starts no {n}, {n,} or {n,m} as itself
        elif ch == "$":
            out.append("\\z")           # RE2's end of text; Java's $ also matches before a final newline
        elif ch == "(" and pattern.startswith("(?P<", i):
            out.append("(?<")
            i += 4
            continue
        else:
            out.append(ch)
        i += 1
    if in_class:
        raise SparkUnsupported(_("unterminated character class"))
    # (?d): only \n ends a line, as in RE2 (Java's dot and anchors also stop at \r, \u0085, \u2028 …)
    return "(?d)" + "".join(out)


_W = "[0-9A-Za-z_]"
_ASCII_BOUNDARY = f"(?:(?<={_W})(?!{_W})|(?<!{_W})(?={_W}))"
_ASCII_NON_BOUNDARY = f"(?:(?<={_W})(?={_W})|(?<!{_W})(?!{_W}))"
_QUANTIFIER = re.compile(r"\{[0-9]+(,[0-9]*)?\}")
#: Unicode general categories, as RE2 and Java both name them; anything else is a script (Java: IsHan).
_CATEGORIES = {"L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No", "P", "Pc", "Pd",
               "Ps", "Pe", "Pi", "Pf", "Po", "S", "Sm", "Sc", "Sk", "So", "Z", "Zs", "Zl", "Zp", "C", "Cc", "Cf",
               "Cs", "Co", "Cn", "Any"}


def _java_property(name: str, negated: bool) -> str:
    if name.startswith("^"):
        name, negated = name[1:], not negated
    if not re.fullmatch(r"[A-Za-z_]+", name):
        raise SparkUnsupported(_("the class \\p{{{name}}} is not supported", name=name))
    if name == "Any":
        return "[^\\x{0}-\\x{10FFFF}]" if negated else "[\\x{0}-\\x{10FFFF}]"
    java = name if name in _CATEGORIES else f"Is{name}"
    return f"\\{'P' if negated else 'p'}{{{java}}}"
