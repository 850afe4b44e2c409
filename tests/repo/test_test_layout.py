"""The suite's own layout: every helper shared between tests lives in tests/support and is imported
one way, `from tests.support.MODULE import NAME` (pyproject.toml puts the project root on pytest's
pythonpath); conftest.py files hold fixtures and hooks, and neither they nor test modules are
imported from; the project root is computed once (tests/support/paths.py).

The benchmark suite (tests/benchmarks/) keeps its own modules beside its tests (measure.py,
registry.py, report.py: scripts/bench runs report.py as a module) and imports across them;
it keeps the rest: no sys.path changes, nothing from conftest, no bare names."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.paths import PROJECT_ROOT

OWN_MODULES = ("tests/benchmarks/",)


def local_names(tests: Path) -> set[str]:
    """Names that, imported bare, can only mean a module or folder of the suite (reached through a
    sys.path entry inside tests/): every module but the tests, and every folder that is not also a
    top-level package of the project (tests/lock/ shares its name with the lock tool)."""
    modules = {p.stem for p in tests.rglob("*.py") if not p.name.startswith("test_") and p.stem != "__init__"}
    folders = {p.name for p in tests.rglob("*") if p.is_dir() and p.name != "__pycache__"}
    return modules | {name for name in folders if not (tests.parent / name / "__init__.py").is_file()}


def imported_modules(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
        elif isinstance(node, ast.ImportFrom):
            yield node.lineno, "." * node.level + (node.module or "")


def changes_sys_path(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "path" and ast.unparse(node.value) == "sys"


def computes_the_root(node: ast.AST) -> bool:
    """Path(__file__)...parents[N] or ...parent.parent."""
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "parents":
        return "__file__" in ast.unparse(node)
    if isinstance(node, ast.Attribute) and node.attr == "parent" and isinstance(node.value, ast.Attribute):
        return node.value.attr == "parent" and "__file__" in ast.unparse(node)
    return False


def is_fixture_or_hook(node: ast.stmt) -> bool:
    if isinstance(node, ast.FunctionDef):
        return node.name.startswith("pytest_") or any("fixture" in ast.unparse(d) for d in node.decorator_list)
    return not isinstance(node, (ast.ClassDef, ast.AsyncFunctionDef))


def layout_problems(root: Path) -> list[str]:
    """Every breach of the rules above in the project at `root`, as "path:line: what"."""
    tests = root / "tests"
    bare = local_names(tests)
    problems = []
    for path in sorted(tests.rglob("*.py")):
        name = path.relative_to(root).as_posix()
        tree = ast.parse(path.read_text(), name)
        own = name.startswith(OWN_MODULES)
        problems += [f"{name}:{node.lineno}: changes sys.path; import helpers as tests.support.MODULE"
                     for node in ast.walk(tree) if changes_sys_path(node)]
        for line, module in imported_modules(tree):
            top = module.split(".")[0]
            if top == "conftest" or module.endswith(".conftest"):
                problems.append(f"{name}:{line}: imports from conftest; shared code goes to tests/support")
            elif module.startswith("."):
                problems.append(f"{name}:{line}: relative import {module}; import tests.support.MODULE")
            elif top in bare:
                problems.append(f"{name}:{line}: imports `{module}` by a bare name; "
                                "import tests.support.MODULE (or tests.FOLDER.MODULE)")
            elif not own and any(part.startswith("test_") for part in module.split(".")):
                problems.append(f"{name}:{line}: imports from a test module; shared code goes to tests/support")
        if path.name == "conftest.py" and not own:
            problems += [f"{name}:{node.lineno}: {type(node).__name__} {node.name} in a conftest.py; helpers go to "
                         "tests/support" for node in tree.body if not is_fixture_or_hook(node)]
        elif not own and not path.name.startswith("test_") and path.name != "__init__.py" \
                and path.parent != tests / "support":
            problems.append(f"{name}: a helper module outside tests/support")
        if path.parent != tests / "support" and not own:
            problems += [f"{name}:{node.lineno}: computes the project root; import PROJECT_ROOT from "
                         "tests.support.paths" for node in ast.walk(tree) if computes_the_root(node)]
    return problems


def test_the_suite_keeps_its_layout():
    assert layout_problems(PROJECT_ROOT) == []


@pytest.mark.parametrize(("path", "text", "problem"), [
    ("tests/lock/conftest.py", "import sys\nsys.path.insert(0, 'x')\n", "tests/lock/conftest.py:2: changes sys.path"),
    ("tests/image/test_a.py", "from conftest import TOKEN\n", "tests/image/test_a.py:1: imports from conftest"),
    ("tests/image/test_a.py", "def f():\n    from containers import poll\n",
     "tests/image/test_a.py:2: imports `containers` by a bare name"),
    ("tests/image/test_a.py", "from benchmarks import measure\n",
     "tests/image/test_a.py:1: imports `benchmarks` by a bare name"),
    ("tests/image/test_a.py", "from .helpers import x\n", "tests/image/test_a.py:1: relative import .helpers"),
    ("tests/hub/test_a.py", "from tests.browser.test_b import wait_for_lab\n",
     "tests/hub/test_a.py:1: imports from a test module"),
    ("tests/image/helpers.py", "X = 1\n", "tests/image/helpers.py: a helper module outside tests/support"),
    ("tests/image/conftest.py", "def write_project():\n    pass\n",
     "tests/image/conftest.py:1: FunctionDef write_project in a conftest.py"),
    ("tests/image/conftest.py", "class Compose:\n    pass\n",
     "tests/image/conftest.py:1: ClassDef Compose in a conftest.py"),
    ("tests/image/test_a.py", "from pathlib import Path\n\nROOT = Path(__file__).resolve().parents[2]\n",
     "tests/image/test_a.py:3: computes the project root"),
], ids=["sys.path", "conftest import", "bare import in a function", "bare folder import", "relative import",
        "test module import", "helper module", "function in conftest", "class in conftest", "root computed"])
def test_each_rule_catches_its_breach(tmp_path, path, text, problem):
    for name in ("tests/support/containers.py", "tests/benchmarks/measure.py", "lock/__init__.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    (tmp_path / "tests/conftest.py").write_text(
        "import pytest\n\nfrom lock import header\nfrom tests.support.containers import poll\n\n\n"
        "@pytest.fixture\ndef image():\n    pass\n\n\ndef pytest_configure(config):\n    pass\n")
    (tmp_path / "tests/lock").mkdir()
    (tmp_path / "tests/lock/test_ok.py").write_text("from lock import header\nfrom tests.benchmarks import measure\n")
    assert layout_problems(tmp_path) == []
    (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / path).write_text(text)
    found = layout_problems(tmp_path)
    assert len(found) == 1 and found[0].startswith(problem), found
