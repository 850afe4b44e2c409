"""The table of lock/'s layers in docs/architecture.md, as a test: every import of the package,
function-local ones included, points to its own row or a lower one, and no modules import each
other round about. `if __name__ == "__main__":` blocks are entry points and do not count; the
doc's "Known exceptions" list names the imports allowed until they are cut."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest

from tests.support.paths import PROJECT_ROOT


def module_name(package: Path, path: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def rows(doc: str) -> dict[str, int]:
    """Module or package prefix (as `lock.X`) -> its row in the lock tool's table, 0 at the top."""
    section = doc.split("## The lock tool", 1)[1].split("\n## ", 1)[0]
    table = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| Layer")]
    found = {}
    for number, line in enumerate(table):
        cells = line.split("|")
        for token in re.findall(r"`([\w/]+(?:\.py|/))`", cells[2]):
            found.setdefault("lock." + token.removesuffix(".py").removesuffix("/").replace("/", "."), number)
    return found


def exceptions(doc: str) -> set[tuple[str, str]]:
    section = doc.split("Known exceptions", 1)[1].split("\n## ", 1)[0] if "Known exceptions" in doc else ""
    return {("lock." + a.removesuffix(".py").replace("/", "."), "lock." + b.removesuffix(".py").replace("/", "."))
            for a, b in re.findall(r"^- `([\w/.]+)` → `([\w/.]+)`", section, re.M)}


def is_main_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "__name__" in ast.unparse(node.test) and "__main__" in ast.unparse(node.test)


def imports(tree: ast.AST, modules: set[str]):
    """(line, imported lock module) for every import under tree, __main__ blocks left out."""
    for node in ast.iter_child_nodes(tree):
        if is_main_block(node):
            continue
        if isinstance(node, ast.Import):
            yield from ((node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "lock")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "lock":
            for alias in node.names:
                whole = f"{node.module}.{alias.name}"
                yield node.lineno, whole if whole in modules else node.module
        yield from imports(node, modules)


def row_of(module: str, table: dict[str, int]) -> int | None:
    while module:
        if module in table:
            return table[module]
        module = module.rpartition(".")[0]
    return None


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def problems(root: Path) -> list[str]:
    doc = (root / "docs" / "architecture.md").read_text(encoding="utf-8")
    table, allowed = rows(doc), exceptions(doc)
    package = root / "lock"
    paths = {module_name(package, p): p for p in sorted(package.rglob("*.py"))}
    found, edges = [], {}
    for module, path in paths.items():
        mine = row_of(module, table)
        if mine is None and module != "lock" and not module.endswith("__init__"):
            if not (path.name == "__init__.py" and row_of(module + ".x", table) is not None):
                found.append(f"{path.relative_to(root)}: not in the table of docs/architecture.md")
                continue
        for line, target in imports(ast.parse(path.read_text(encoding="utf-8")), set(paths)):
            theirs = row_of(target, table)
            if target == module or (module, target) in allowed or target == "lock":
                continue
            edges.setdefault(module, set()).add(target)
            if mine is not None and theirs is not None and theirs < mine:
                found.append(f"{path.relative_to(root)}:{line}: imports {target}, a higher row of the table")
    found += [f"import cycle: {' ↔ '.join(c)}" for c in cycles(edges)]
    return list(dict.fromkeys(found))  # `from lock.x import a, b`: one finding


def test_lock_keeps_to_the_table_of_its_layers():
    assert problems(PROJECT_ROOT) == []


@pytest.mark.parametrize(("path", "planted", "problem"), [
    ("lock/errors.py", "\n\ndef _late():\n    from lock import cli\n", "lock/errors.py:"),
    ("lock/diff.py", "\n\ndef _late():\n    from lock import diff_details\n", "import cycle: lock.diff ↔ lock.diff_details"),
    ("lock/atomic.py", "\n\ndef _late():\n    import lock.index\n", "imports lock.index, a higher row"),
], ids=["upward, function-local", "cycle within a row", "upward, plain import"])
def test_a_planted_upward_or_cyclic_import_fails(tmp_path, path, planted, problem):
    shutil.copytree(PROJECT_ROOT / "lock", tmp_path / "lock", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "docs").mkdir()
    shutil.copy(PROJECT_ROOT / "docs" / "architecture.md", tmp_path / "docs")
    with (tmp_path / path).open("a") as f:
        f.write(planted)
    assert any(problem in p for p in problems(tmp_path)), problems(tmp_path)


def test_a_known_exception_lets_only_that_import_through(tmp_path):
    shutil.copytree(PROJECT_ROOT / "lock", tmp_path / "lock", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "docs").mkdir()
    doc = (PROJECT_ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    with (tmp_path / "lock" / "config.py").open("a") as f:
        f.write("\n\ndef _late():\n    from lock import layers\n")
    (tmp_path / "docs" / "architecture.md").write_text(doc)
    assert any("lock/config.py" in p and "lock.layers" in p for p in problems(tmp_path))
    listed = doc.replace("(the test reads this list).\n", "(the test reads this list).\n\n- `config.py` → `layers.py`\n")
    (tmp_path / "docs" / "architecture.md").write_text(listed)
    assert problems(tmp_path) == []
