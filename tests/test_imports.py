"""The import graph of the package: one direction, no cycle, and a warm call light.

Every ``import`` anywhere in a module counts, including those inside functions and under
``TYPE_CHECKING``: a function-level import hides a cycle from the interpreter, not from
the design, and the next refactoring that hoists it turns it into a crash.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from conftest import BUNDLED, REPO

PACKAGE = "directives_cli"
SOURCE = REPO / "src" / PACKAGE


def module_name(path: Path) -> str:
    """The dotted name of a module file of the package."""
    parts = list(path.relative_to(SOURCE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(SOURCE.rglob("*.py"))}


def imported(name: str, path: Path) -> set[str]:
    """The package's modules that ``name`` imports, from every Import/ImportFrom node in
    the file. ``from package import module`` names the module; ``from module import X``
    names the module. A package's own ``__init__`` counts as imported by its submodules,
    since Python runs it first: an ``__init__`` that imports its submodules (a re-export)
    puts them on a cycle with it, which the function-level view must see too."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    parents = {name.rsplit(".", n)[0] for n in range(1, name.count(".") + 1)}
    return {m for m in found | parents if m in MODULES and m != name}


GRAPH = {name: imported(name, path) for name, path in MODULES.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle in ``graph`` as a list of modules (first repeated last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)) is not None:
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)) is not None:
            return cycle
    return None


def test_the_graph_sees_function_level_imports() -> None:
    # The commands import the query and schema modules only inside functions; the graph
    # must see them.
    assert f"{PACKAGE}.query" in GRAPH[f"{PACKAGE}.commands"]
    assert f"{PACKAGE}.schema" in GRAPH[f"{PACKAGE}.commands"]


def test_the_cycle_finder_finds_a_planted_cycle() -> None:
    planted = {**GRAPH, f"{PACKAGE}.model": {*GRAPH[f"{PACKAGE}.model"], f"{PACKAGE}.cli"}}
    cycle = find_cycle(planted)
    assert cycle is not None and cycle[0] == cycle[-1]


def test_no_import_cycle_in_the_package() -> None:
    assert find_cycle(GRAPH) is None, " -> ".join(find_cycle(GRAPH) or [])


def test_the_index_store_knows_nothing_above_it() -> None:
    above = {"loader", "yamlsafe", "store", "search", "query", "commands", "cli", "render"}
    assert {m.split(".")[1] for m in GRAPH[f"{PACKAGE}.database"] if "." in m} & above == set()


WARM_PROBE = """
import io, json, sys
from contextlib import redirect_stdout
from directives_cli.entry import run
with redirect_stdout(io.StringIO()):
    try:
        run(sys.argv[1:])
    except SystemExit:
        pass
print(json.dumps(sorted(sys.modules)))
"""


def warm_modules(tmp_path: Path, *args: str) -> set[str]:
    """The modules loaded by a second (cached) call of ``directives ARGS``."""
    env = {"XDG_CACHE_HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "DIRECTIVES_CATALOG": ""}
    argv = [sys.executable, "-c", WARM_PROBE, "--catalog", str(BUNDLED), *args]
    for _ in range(2):
        done = subprocess.run(argv, capture_output=True, text=True, env=env, check=True)
    return set(json.loads(done.stdout))


#: What a warm call must not import: the YAML side, and the standard library's costly
#: modules for declaring types (`plain` stands in for them).
HEAVY = {
    *(f"{PACKAGE}.{name}" for name in ("loader", "yamlsafe", "schema")),
    *("yaml", "typing", "dataclasses", "inspect"),
}


def test_a_warm_list_never_imports_the_loader_or_yaml(tmp_path: Path) -> None:
    loaded = warm_modules(tmp_path, "list", "-f", "json")
    assert f"{PACKAGE}.paths" in loaded  # the probe did run the command
    assert loaded & HEAVY == set()


def test_a_warm_show_never_imports_the_loader_or_yaml(tmp_path: Path) -> None:
    loaded = warm_modules(tmp_path, "show", "RC-1", "-f", "json")
    assert f"{PACKAGE}.quotes" in loaded  # show set the quote in its source sentence
    assert loaded & HEAVY == set()
