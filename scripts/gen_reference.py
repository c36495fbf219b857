#!/usr/bin/env python3
"""Write docs/reference.md from the code: every command and option, every rule-file key, every problem code.

Sources, read at generation time:

- the commands and options: click's own description of :data:`checker.cli.main`
  (names, metavars, types, choices, defaults, environment variables, help text);
- the rule-file keys: ``schemas/ruleset.schema.json`` (generated from the pydantic models and kept in
  sync by ``tests/test_schemas_sync.py``): each object's ``properties``, ``required`` and ``description``;
- the problem codes: :data:`checker.codes.REGISTRY`.

The only hand-written parts are below: the exit statuses of the commands (``EXIT_STATUS``), the
meaning of the few schema keys without a description (``KEY_MEANING``) and the code groups.

    .venv/bin/python scripts/gen_reference.py            # rewrite docs/reference.md
    .venv/bin/python scripts/gen_reference.py --check    # exit 1 if it is not what the code says

Run it with the English texts (it sets ``LANGUAGE=en``, ``LC_ALL=C.UTF-8`` and drops ``CHECKER_*`` before
importing the checker when run as a script); ``tests/test_readme.py`` compares the committed file.
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":  # pin the language of every help text before the checker is imported
    for _key in [k for k in os.environ if k.startswith("CHECKER_")]:
        del os.environ[_key]
    os.environ.update(LANGUAGE="en", LC_ALL="C.UTF-8", LANG="C.UTF-8")

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.append(str(ROOT))  # the installed (editable) package first; a bare checkout works too
OUT = ROOT / "docs" / "reference.md"
COMMAND = ".venv/bin/python scripts/gen_reference.py"

ORDER = ["check", "lint", "test", "explain", "diff", "report", "sample", "demo", "coverage"]
EXIT_STATUS = {
    "check": "0 no rule failed at or above `--fail-on`; 1 one did (or errored); 2 usage, rule-file, schema or "
             "data-loading error",
    "lint": "0 no errors (warnings allowed); 1 errors; 2 usage error",
    "test": "0 every example gives its verdict; 1 a mismatch; 2 usage error or a rule that does not load or compile",
    "explain": "0; 2 for an unknown rule id (with a suggestion) or a rule file that does not load",
    "diff": "0; 2 for input that does not load",
    "report": "0; 2 for a result file that cannot be read (T502) or a template error (T501)",
    "sample": "0; 2 for usage or an unwritable folder (D401)",
    "demo": "0; 2 for usage or an unwritable folder (D401)",
    "coverage": "0 every clause is covered; 1 a clause is uncovered; 2 usage error",
}
# Keys whose schema has no description (keyed "<object>.<key>").
KEY_MEANING = {
    "Ruleset.title": "the ruleset's name, in Chinese and English",
    "Ruleset.description": "a longer description, in Chinese and English",
    "Ruleset.rules": "the rules of this version",
    "Ruleset.effective": "the days this version is in force (`from`, optional `to`, both inclusive)",
    "Rule.title": "what the rule requires, in Chinese and English (reports and the terminal show it)",
    "Rule.severity": "how serious a violation is; `--fail-on` compares with it",
    "Rule.dataset": "the dataset the rule judges, `<domain>.<name>`",
    "Rule.description": "a longer description, in Chinese and English",
    "Rule.join": "other datasets whose columns the rule reads, as `<as>.<column>` (left joins)",
    "Rule.examples": "pass and fail cases run by `checker test`",
    "Rule.tags": "free labels",
    "ChangelogEntry.version": "the version this entry describes (the file's own version for the newest)",
    "ChangelogEntry.date": "the day of the change",
    "ChangelogEntry.zh": "the change, in Chinese",
    "ChangelogEntry.en": "the change, in English",
}
# Environment variables read outside click's options (those are taken from the options themselves).
ENVIRONMENT = {
    "CHECKER_FINGERPRINT_KEY": "secret (16 characters or more) for the HMAC-SHA256 fingerprints of personal "
                               "keys; without it they are not written (W506)",
    "CHECKER_DEBUG": "set (non-empty): an unexpected error shows its traceback instead of one paragraph",
    "NO_COLOR": "any value: no colour in the terminal summary",
}

# -- commands ----------------------------------------------------------------------------------------------

def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _value(param) -> str:
    import click

    if getattr(param, "is_flag", False):
        return "flag"
    kind = param.type
    if isinstance(kind, click.Choice):
        return " \\| ".join(f"`{c}`" for c in kind.choices)
    if isinstance(kind, click.DateTime):
        return "date `YYYY-MM-DD`"
    if isinstance(kind, (click.IntRange,)):
        lo, hi = kind.min, kind.max
        return f"integer {lo}–{hi:,}" if lo is not None and hi is not None else "integer"
    if isinstance(kind, click.Path):
        if not kind.file_okay:
            return "folder"
        if not kind.dir_okay:
            return "file"
        return "path"
    if param.metavar:
        return f"`{param.metavar}`"
    return {"integer": "integer", "text": "text"}.get(kind.name, kind.name)


def _default(param) -> str:
    if getattr(param, "is_flag", False) or param.multiple:
        return ""
    default = param.default
    if isinstance(default, bool) or not isinstance(default, (str, int, float)):
        return ""  # None, click's "unset" marker, callables
    return f"`{default}`"


def _usage(cmd, name: str) -> str:
    import click

    ctx = click.Context(cmd, info_name=f"checker {name}")
    return " ".join([f"checker {name}", *cmd.collect_usage_pieces(ctx)])


def commands_section() -> list[str]:
    import click

    from checker.cli import main

    names = [n for n in ORDER if n in main.commands] + sorted(set(main.commands) - set(ORDER))
    shared_help: dict[str, str] = {}  # an option without help text takes that of the same option elsewhere
    for name in names:
        for p in main.commands[name].params:
            if isinstance(p, click.Option) and p.help:
                shared_help.setdefault(p.name, p.help)
    out = ["## Commands", "",
           "Every command takes `-h`/`--help`; `checker --version` prints the version.", "",
           "| command | what it does | exit status |", "|---|---|---|"]
    for name in names:
        cmd = main.commands[name]
        out.append(f"| [`checker {name}`](#checker-{name}) | {_cell(cmd.get_short_help_str(200))} | "
                   f"{_cell(EXIT_STATUS.get(name, 'see `--help`'))} |")
    for name in names:
        cmd = main.commands[name]
        out += ["", f"### checker {name}", "", "```text", _usage(cmd, name), "```", "",
                _cell(cmd.help or ""), "", f"Exit status: {_cell(EXIT_STATUS.get(name, 'see `--help`'))}.", ""]
        args = [p for p in cmd.params if isinstance(p, click.Argument)]
        if args:
            def described(a) -> str:
                notes = [n for n, on in (("any number", a.nargs == -1), ("optional", not a.required)) if on]
                return f"`{a.human_readable_name}`" + (f" ({', '.join(notes)})" if notes else "")
            out += ["Arguments: " + ", ".join(described(a) for a in args) + ".", ""]
        out += ["| option | value | default | meaning |", "|---|---|---|---|"]
        for p in cmd.params:
            if isinstance(p, click.Argument) or p.hidden:
                continue
            opts = ", ".join(f"`{o}`" for o in [*p.opts, *p.secondary_opts])
            meaning = _cell(p.help or shared_help.get(p.name, ""))
            notes = []
            if p.required:
                notes.append("required")
            if p.multiple and "repeatable" not in meaning:
                notes.append("repeatable")
            if p.envvar and p.envvar not in meaning:
                notes.append(f"env `{p.envvar}`")
            if notes:
                meaning += f" ({', '.join(notes)})"
            out.append(f"| {opts} | {_value(p)} | {_default(p)} | {meaning} |")
        out.append("| `-h`, `--help` | flag | | Show the command's help and exit. |")
    return out


# -- rule-file keys ----------------------------------------------------------------------------------------

def _type(schema: dict, defs: dict) -> str:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        target = defs[name]
        if "enum" in target:
            return " \\| ".join(f"`{v}`" for v in target["enum"])
        return f"[{name}](#{name.lower()})"
    if "anyOf" in schema:
        kinds = [s for s in schema["anyOf"] if s.get("type") != "null"]
        if len(kinds) == 1:
            return _type(kinds[0], defs)
        return " or ".join(_type(s, defs) for s in kinds)
    kind = schema.get("type")
    if kind == "array":
        item = _type(schema.get("items", {}), defs)
        least = f", at least {schema['minItems']}" if schema.get("minItems") else ""
        return f"list of {item}{least}"
    if kind == "object":
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            return f"mapping to {_type(extra, defs)}"
        return "mapping"
    if kind == "string":
        if schema.get("format") == "date":
            return "date"
        if "enum" in schema:
            return " \\| ".join(f"`{v}`" for v in schema["enum"])
        return "text"
    return kind or "any value"


def _object_table(title: str, anchor_name: str, schema: dict, defs: dict) -> list[str]:
    out = [f"### {title}", ""]
    if schema.get("description") and anchor_name != "Ruleset":
        out += [" ".join(schema["description"].split()), ""]
    required = set(schema.get("required", []))
    out += ["| key | required | value | meaning |", "|---|---|---|---|"]
    for key, prop in schema.get("properties", {}).items():
        meaning = prop.get("description") or KEY_MEANING.get(f"{anchor_name}.{key}", "")
        if not meaning:
            raise SystemExit(f"gen_reference: {anchor_name}.{key} has no description; add one to KEY_MEANING")
        if "pattern" in prop:
            meaning += f"; matches `{prop['pattern']}`"
        out.append(f"| `{key}` | {'required' if key in required else 'optional'} | {_type(prop, defs)} | "
                   f"{_cell(meaning)} |")
    if schema.get("additionalProperties") is False:
        out += ["", "Any other key is an error (R101, with the nearest key as a suggestion)."]
    return out + [""]


def rule_file_section() -> list[str]:
    schema = json.loads((ROOT / "schemas" / "ruleset.schema.json").read_text(encoding="utf-8"))
    defs = schema.get("$defs", {})
    out = ["## Rule-file keys", "",
           ("From `schemas/ruleset.schema.json`, the schema editors use (put "
            "`# yaml-language-server: $schema=<path to>/schemas/ruleset.schema.json` on a rule file's first line). "
            "A rule file holds one version of one ruleset."), "",
           ("A rule's kind follows from its keys: `expect` (and optional `where`) is a row rule; `unique` a "
            "uniqueness rule; `group_by` with an aggregate `expect` an aggregate rule (an aggregate function "
            "elsewhere is X204); `join` adds joined columns to a row or aggregate rule."), ""]
    out += _object_table("Ruleset (the file)", "Ruleset", schema, defs)
    seen = set()

    def refs(node):
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"].rsplit("/", 1)[-1]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    queue = list(refs(schema.get("properties", {})))
    while queue:
        name = queue.pop(0)
        if name in seen or name not in defs:
            continue
        seen.add(name)
        target = defs[name]
        if "properties" in target:
            out += _object_table(name, name, target, defs)
            queue += list(refs(target.get("properties", {})))
    return out


# -- problem codes ------------------------------------------------------------------------------------------

def codes_section() -> list[str]:
    from checker import codes

    out = ["## Problem codes", "",
           ("Every problem is printed as `path:line:col: CODE message; suggestion` (from `checker/codes.py`, where "
            "each code is defined once; a code never changes meaning, new ones are added and a retired one is "
            "never reused). Warnings (`W`) are reported but do not change the exit status."), ""]
    for letter, group in codes.GROUPS.items():
        mine = [c for c in codes.REGISTRY.values() if c.startswith(letter)]
        if not mine:
            continue
        out += [f"### {letter}: {group.render('en')}", "", "| code | meaning | 意義 |", "|---|---|---|"]
        out += [f"| `{c}` | {_cell(c.describe('en'))}{' (retired)' if c.retired else ''} | "
                f"{_cell(c.describe('zh'))}{'（已停用）' if c.retired else ''} |" for c in sorted(mine)]
        out.append("")
    return out


def environment_section() -> list[str]:
    import click

    from checker.cli import main

    found: dict[str, str] = {}
    for name in [n for n in ORDER if n in main.commands] + sorted(set(main.commands) - set(ORDER)):
        for p in main.commands[name].params:
            if isinstance(p, click.Option) and p.envvar:
                for var in [p.envvar] if isinstance(p.envvar, str) else p.envvar:
                    found.setdefault(var, f"default of `checker {name} {p.opts[-1]}`")
    found.update({k: v for k, v in ENVIRONMENT.items() if k not in found})
    out = ["## Environment variables", "", "| variable | meaning |", "|---|---|"]
    out += [f"| `{k}` | {_cell(v)} |" for k, v in sorted(found.items())]
    return out + [""]


def generate() -> str:
    """The reference, its texts in English (the checker's message ids) whatever the default language."""
    import contextlib

    try:
        from checker.i18n import use as language
    except ImportError:  # a checker without message catalogs: its texts are English already
        language = None
    with language("en") if language else contextlib.nullcontext():
        return _generate()


def _generate() -> str:
    lines = ["# Reference", "",
             f"<!-- Generated by scripts/gen_reference.py from the code; do not edit. Regenerate: {COMMAND} -->", "",
             ("Generated from the code: the [commands and options](#commands) from `checker/cli.py`, the "
              "[rule-file keys](#rule-file-keys) from `schemas/ruleset.schema.json`, the "
              "[problem codes](#problem-codes) from `checker/problems.py`; also the "
              "[environment variables](#environment-variables) and the [result file](#result-file)."), ""]
    lines += commands_section() + [""] + environment_section() + rule_file_section() + codes_section()
    lines += ["## Result file", "",
              ("`checker check --json PATH` writes the result file; its JSON Schema is "
               "`schemas/result.schema.json`, and every result validates against it."), ""]
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write docs/reference.md from the code.")
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/reference.md is not up to date")
    parser.add_argument("--stdout", action="store_true", help="print the reference instead of writing it")
    args = parser.parse_args(argv)
    text = generate()
    if args.stdout:
        sys.stdout.write(text)
        return 0
    if args.check:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"docs/reference.md is stale; run: {COMMAND}", file=sys.stderr)
            return 1
        return 0
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
