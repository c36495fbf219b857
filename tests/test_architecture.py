"""The import graph keeps its layers: no module imports from a layer above its own.

Layers, lowest first (a module may import from its own layer and the ones below):

    base      i18n, codes, exit_codes, problems, resources, scrub, sandbox, messages; render/inert and
              render/output (record text made inert, files written whole)
    model     model/
    sql       sql/               (SQL text, the regex translators, JSON Schema values, the table layout:
                                 what compile and engine share)
    load      load/, config (the configuration file)
    compile   compile/           (never engine/)
    engine    engine/            (never compile/)
    evaluate  evaluate, baseline, waivers, catalog, lint, lint_versions, testing, explain, diff,
              coverage, run, progress, history/ (its render module: render)
    render    render/
    command   cli, cli_config, api, verify, waiver_list, demo, sample/

``KNOWN`` lists the imports allowed to break the picture; it is empty, and the test fails on
any import that breaks it.
"""

from __future__ import annotations

import ast

from conftest import ROOT

LAYERS = ["base", "model", "sql", "load", "compile", "engine", "evaluate", "render", "command"]
PACKAGES = {"model": "model", "sql": "sql", "load": "load", "compile": "compile", "engine": "engine",
            "render": "render", "sample": "command", "history": "evaluate"}
TOP = {"cli": "command", "cli_config": "command", "api": "command", "config": "load", "demo": "command",
       "evaluate": "evaluate", "baseline": "evaluate",
       "waivers": "evaluate", "catalog": "evaluate", "lint": "evaluate", "lint_versions": "evaluate",
       "testing": "evaluate", "explain": "evaluate", "diff": "evaluate", "coverage": "evaluate",
       "run": "evaluate", "progress": "evaluate", "portability": "evaluate",
       "verify": "command", "waiver_list": "command"}
#: leaf modules inside a package of a higher layer (no import of their own from above)
MODULES = {"checker.render.inert": "base", "checker.render.output": "base", "checker.history.render": "render"}
#: pairs of layers that must not import each other even though one is above the other
APART = {("compile", "engine"), ("engine", "compile")}

KNOWN: set[tuple[str, str]] = set()


def layer_of(module: str) -> str:
    if module in MODULES:
        return MODULES[module]
    parts = module.split(".")
    if len(parts) == 1:
        return "base"
    if parts[1] in PACKAGES:
        return PACKAGES[parts[1]]
    return TOP.get(parts[1], "base")


def imports() -> set[tuple[str, str]]:
    edges = set()
    for path in (ROOT / "checker").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("checker"):
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names if a.name.startswith("checker")]
            else:
                continue
            edges.update((module, name) for name in names)
    return edges


def breaks(edge: tuple[str, str]) -> bool:
    low, high = layer_of(edge[0]), layer_of(edge[1])
    return LAYERS.index(high) > LAYERS.index(low) or (low, high) in APART


def test_no_module_imports_from_a_higher_layer():
    broken = {e for e in imports() if breaks(e)}
    assert broken - KNOWN == set(), "imports against the layers: " + ", ".join(sorted(f"{a} -> {b}" for a, b in
                                                                                       broken - KNOWN))
    assert KNOWN - broken == set(), f"fixed, remove from KNOWN: {sorted(KNOWN - broken)}"


def test_every_module_has_a_layer():
    for path in (ROOT / "checker").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if len(parts) == 2 and parts[1] not in ("__init__", "__main__"):
            name = parts[1]
            assert name in TOP or layer_of(f"checker.{name}") == "base", name
