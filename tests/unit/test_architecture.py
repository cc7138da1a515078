"""The package map holds: layers import only downwards, no package cycles, small modules.

Read from the source with `ast`, so every import counts, including those inside functions.
"""

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("consumer", "producers", "schemas")
MAX_LINES = 250

# The packages of the map: a module belongs to the longest of these its dotted name starts with.
PACKAGES = (
    "schemas",
    "producers",
    "consumer.domain",
    "consumer.store",
    "consumer.config",
    "consumer.kafka",
    "consumer.runtime",
    "consumer.cli",
    "consumer.console",
    "consumer.errors",
    "consumer.redaction",
    "consumer.__main__",
)

# What each package may never import (directly or from a sub-module).
FORBIDDEN = {
    "schemas": ("consumer", "producers", "sqlalchemy", "kafka"),
    "consumer.domain": ("consumer.store", "consumer.runtime", "consumer.kafka", "consumer.cli", "consumer.console",
                        "consumer.config", "producers", "sqlalchemy", "kafka"),
    "consumer.store": ("producers", "consumer.runtime", "consumer.kafka", "consumer.cli", "consumer.console", "kafka"),
    "consumer.config": ("consumer.runtime", "consumer.kafka", "consumer.cli", "consumer.console", "consumer.store"),
    "consumer.console": ("consumer.runtime", "consumer.cli", "kafka", "producers"),
}


def _modules() -> dict[str, Path]:
    found = {}
    for source in SOURCES:
        for path in (ROOT / source).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    imported = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module)
            imported |= {f"{node.module}.{alias.name}" for alias in node.names}
    return imported


def _package(module: str) -> str | None:
    matches = [p for p in PACKAGES if module == p or module.startswith(p + ".")]
    return max(matches, key=len) if matches else None


def _package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in MODULES.items():
        source = _package(name)
        for target in _imports(name, path):
            package = _package(target)
            if source and package and package != source:
                graph[source].add(package)
    return graph


def test_every_module_belongs_to_a_package_of_the_map():
    assert [name for name in MODULES if _package(name) is None and name != "consumer"] == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_is_longer_than_the_limit(name):
    lines = len(MODULES[name].read_text().splitlines())
    assert lines <= MAX_LINES, f"{MODULES[name].relative_to(ROOT)} has {lines} lines"


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_package_imports_only_what_its_layer_allows(package):
    wrong = []
    for name, path in MODULES.items():
        if _package(name) != package:
            continue
        for target in sorted(_imports(name, path)):
            if any(target == f or target.startswith(f + ".") for f in FORBIDDEN[package]):
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_no_cycle_between_packages():
    graph = _package_graph()
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt in path:
                cycle = path[path.index(nxt):] + [nxt]
                if min(cycle[:-1]) == cycle[0]:  # report each cycle once, from its smallest member
                    cycles.append(" -> ".join(cycle))
            else:
                visit(nxt, path + [nxt])

    for start in sorted(graph):
        visit(start, [start])
    assert cycles == []
