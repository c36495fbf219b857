"""The configuration file on the command line: ``--config PATH`` and ``--profile NAME`` on every command
that takes configured options, the file's values as the command's defaults (:mod:`checker.config`).

Click reads an option from the command line, then its environment variable, then the context's
``default_map``, then its default.  The file is meant to beat the environment's defaults, so the options
with an environment variable are :class:`FromConfig`, which skips the variable where the file has a value.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

import click

from checker import codes, config
from checker.exit_codes import ExitCode
from checker.i18n import DEFAULT, LANGS, _, tr, use
from checker.problems import CheckerError, Problem, Span
from checker.render.inert import inert

_ARGS = "checker.config.args"
LANG_VARIABLE = "CHECKER_LANG"
#: what ``checker config`` shows: the loaded file and, per check option name, the Setting it came from
META = "checker.config"


class FromConfig(click.Option):
    """An option whose environment variable yields to the configuration file (the command line beats both)."""

    def resolve_envvar_value(self, ctx: click.Context) -> str | None:
        if self.name in (ctx.default_map or {}):
            return None
        return super().resolve_envvar_value(ctx)


def key_of(param: click.Parameter) -> str | None:
    """The configuration key of an option: its long name with ``_`` for ``-`` (``--fail-on`` → ``fail_on``)."""
    if not isinstance(param, click.Option):
        return None
    longs = [o for o in param.opts if o.startswith("--")]
    return longs[0][2:].replace("-", "_") if longs else None


def allowed_keys(check: click.Command) -> dict[str, bool]:
    """The keys a file may hold (``check``'s long options) and whether each is a path."""
    out: dict[str, bool] = {}
    for param in check.params:
        key = key_of(param)
        if key and key not in ("config", "profile", "help"):
            out[key] = isinstance(param.type, click.Path)
    return out


def configured(fn):
    """``--config PATH`` and ``--profile NAME``: read before every other option (eager)."""
    fn = click.option("--profile", metavar="NAME", is_eager=True, expose_value=False, callback=_seen,
                      shell_complete=complete_profiles,
                      help="Apply the [profiles.NAME] table of the configuration file.")(fn)
    fn = click.option("--config", "config_file", metavar="PATH", is_eager=True, expose_value=False,
                      type=click.Path(path_type=Path, dir_okay=False), callback=_seen,
                      help="Configuration file (default: checker.toml or [tool.checker] in pyproject.toml, "
                           "here or in a parent folder).")(fn)
    return fn


def complete_profiles(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion of --profile: the profiles of the configuration file found from here."""
    path = config.discover(Path.cwd())
    if path is None:
        return []
    try:
        found = config.load(path, allowed_keys(ctx.find_root().command.commands["check"]))  # type: ignore[attr-defined]
    except (CheckerError, KeyError):
        return []
    return [name for name in found.profiles if name.startswith(incomplete)]


def complete_rule_ids(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion of a rule id: the rules of --rules, the configured rules, else the bundled ones."""
    from checker.load.rulesets import load_rulesets
    from checker.resources import bundled

    paths = [Path(p) for p in (ctx.params.get("rules") or ())]
    if not paths:
        path = config.discover(Path.cwd())
        try:
            check = ctx.find_root().command.commands["check"]  # type: ignore[attr-defined]
            settings = config.load(path, allowed_keys(check)).settings if path else {}
        except (CheckerError, KeyError):
            settings = {}
        if "rules" in settings:
            value = settings["rules"].value
            paths = [Path(v) for v in (value if isinstance(value, list) else [value])]
    try:
        rulesets, _problems, _others = load_rulesets(paths or [bundled("rules")], salvage=True)
    except CheckerError:
        return []
    ids = sorted({rule.id for rs in rulesets for rule in rs.model.rules})
    return [i for i in ids if i.startswith(incomplete)]


def _seen(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    seen = ctx.meta.setdefault(_ARGS, {})
    seen[param.name] = value
    if len(seen) == 2:                    # both eager options processed: the others come after
        try:
            apply(ctx, seen.get("config_file"), seen.get("profile"))
        except CheckerError as err:   # (before --lang is read: the environment's language)
            chosen = os.environ.get(LANG_VARIABLE) or DEFAULT
            with use(chosen if chosen in LANGS else DEFAULT):
                for problem in err.problems:
                    click.echo(inert(problem.render()), err=True)
            sys.exit(int(ExitCode.USAGE))
    return value


def apply(ctx: click.Context, path: Path | None, profile: str | None) -> None:
    """Load the configuration and make its values this command's defaults."""
    root = ctx.find_root().command
    check = root.commands["check"] if isinstance(root, click.Group) else ctx.command
    if path is None:
        path = config.discover(Path.cwd())
        if path is None:
            if profile:
                raise CheckerError([_no_file(profile)])
            return
    cfg = config.load(path, allowed_keys(check), profile)
    shown = ctx.command.name == "config"          # `checker config` shows what `check` would take
    target = check if shown else ctx.command
    is_check = target is check
    params = {p.name: p for p in target.params}
    by_key = {key_of(p): p for p in target.params if key_of(p)}
    defaults: dict[str, Any] = {}
    used: dict[str, config.Setting] = {}
    problems = []
    for key, setting in cfg.settings.items():
        option_key = config.OUTPUTS[key.split(".", 1)[1]] if key.startswith("outputs.") else key
        if not is_check and option_key not in config.SHARED:
            continue
        param = by_key.get(option_key)
        if param is None and option_key == "rules" and "paths" in params:   # lint, test: rule paths
            param = params["paths"]
        if param is None and isinstance(params.get(option_key), click.Argument):   # `checker waivers [FILE]`
            param = params[option_key]
        if param is None or param.name is None:
            continue
        value = _for_click(param, setting.value)
        try:
            param.type_cast_value(ctx, value)
        except click.BadParameter as exc:
            problems.append(Problem(setting.span, codes.C702, _("'{key}': {error}", key=key, error=exc.message)))
            continue
        defaults[param.name] = value
        used[param.name] = setting
    if problems:
        raise CheckerError(problems)
    if not shown:
        ctx.default_map = {**(ctx.default_map or {}), **defaults}
    elif "lang" in defaults:
        ctx.default_map = {**(ctx.default_map or {}), "lang": defaults["lang"]}
    ctx.meta[META] = (cfg, used)


def _for_click(param: click.Parameter, value: Any) -> Any:
    """A TOML value in the form click converts from the command line."""
    if isinstance(value, dict):                       # spark_conf = {"spark.executor.memory" = "8g"}
        value = [f"{k}={v}" for k, v in value.items()]
    if isinstance(value, (dt.date, dt.datetime)):
        value = value.isoformat()[:10]
    if param.multiple or (isinstance(param, click.Argument) and param.nargs == -1):
        return list(value) if isinstance(value, list) else [value]
    if isinstance(value, list):
        return value[0] if len(value) == 1 else value
    return value


def _no_file(profile: str) -> Problem:
    return Problem(Span("--profile"), codes.C701, _("--profile {profile}: no configuration file found",
                                                   profile=profile),
                   hint=_("write checker.toml (or [tool.checker] in pyproject.toml), or pass --config PATH"))


def describe(ctx: click.Context, check: click.Command, fmt: str) -> str:
    """``checker config``: each option of ``check``, its effective value and where it came from."""
    import json

    cfg, used = ctx.meta.get(META, (None, {}))
    rows = []
    for param in check.params:
        key = key_of(param)
        if not key or key in ("config", "profile", "help") or param.name is None:
            continue
        if param.name in used:
            value, origin = used[param.name].value, used[param.name].origin
        elif isinstance(param, click.Option) and param.envvar and os.environ.get(str(param.envvar)):
            value, origin = os.environ[str(param.envvar)], tr("environment {name}", name=str(param.envvar))
        else:
            default = param.default
            unset = callable(default) or type(default).__name__ == "Sentinel" or default is False
            value, origin = (None if unset else default), tr("default")
        rows.append({"key": key, "value": config.as_text(value) if value not in (None, (), []) else None,
                     "origin": origin})
    if fmt == "json":
        return json.dumps({"file": str(cfg.path) if cfg else None, "profiles": list(cfg.profiles) if cfg else [],
                           "settings": rows}, ensure_ascii=False, indent=2) + "\n"
    head = tr("configuration file: {path}", path=str(cfg.path)) if cfg else tr("configuration file: none")
    width = max(len(r["key"]) for r in rows)
    lines = [head]
    if cfg and cfg.profiles:
        lines.append(tr("profiles: {names}", names=", ".join(cfg.profiles)))
    for r in rows:
        lines.append(f"  {r['key']:<{width}}  {r['value'] if r['value'] is not None else '-'}  ({r['origin']})")
    return "\n".join(lines) + "\n"


def config_schema(check: click.Command) -> dict[str, Any]:
    """The JSON Schema of the configuration file (editor completion: taplo / Even Better TOML)."""
    props: dict[str, Any] = {}
    for param in check.params:
        key = key_of(param)
        if not key or key in ("config", "profile", "help") or not isinstance(param, click.Option):
            continue
        kind = param.type
        one: dict[str, Any]
        if param.is_flag:
            one = {"type": "boolean"}
        elif isinstance(kind, click.Choice):
            one = {"enum": list(kind.choices)}
        elif isinstance(kind, click.IntRange):
            one = {"type": "integer", **({"minimum": kind.min} if kind.min is not None else {}),
                   **({"maximum": kind.max} if kind.max is not None else {})}
        elif isinstance(kind, click.DateTime):
            one = {"type": "string", "format": "date"}
        else:
            one = {"type": "string"}
        if key == "spark_conf":
            one = {"type": "object", "additionalProperties": {"type": "string"}}
        elif param.multiple:
            one = {"anyOf": [one, {"type": "array", "items": one}]}
        help_text = (param.help or "").strip()
        props[key] = {**one, **({"description": help_text} if help_text else {})}
    outputs = {"type": "object", "additionalProperties": False, "description": "Report and result files.",
               "properties": {k: {"type": "string", "description": f"--{config.OUTPUTS[k].replace('_', '-')}"}
                              for k in config.OUTPUTS}}
    settings = {"type": "object", "additionalProperties": False, "properties": {**props, "outputs": outputs}}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://checker.invalid/schemas/config.schema.json",
            "title": "checker.toml",
            "description": ("The configuration file of `checker check` (checker.toml, or [tool.checker] in "
                            "pyproject.toml). Keys are check's long options with _ for -; paths are relative "
                            "to the file. Taplo / Even Better TOML: '#:schema ./schemas/config.schema.json'."),
            "$defs": {"settings": settings},
            "type": "object", "additionalProperties": False,
            "properties": {**props, "outputs": outputs,
                           "profiles": {"type": "object", "description": "Overrides chosen with --profile NAME.",
                                        "additionalProperties": {"$ref": "#/$defs/settings"}}}}


if __name__ == "__main__":  # pragma: no cover  (python -m checker.cli_config: rewrite the schema)
    import importlib
    import json as _json

    _main: Any = importlib.import_module("checker.cli").main
    target = Path(__file__).resolve().parents[1] / "schemas" / "config.schema.json"
    target.write_text(_json.dumps(config_schema(_main.commands["check"]), indent=2, ensure_ascii=False) + "\n",
                      encoding="utf-8")
    print(target)
