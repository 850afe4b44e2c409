"""Every helper the tests share, imported one way, one line per module:
`from tests.support.containers import poll` (pytest puts the project root on sys.path,
pyproject.toml's `pythonpath`). Fixtures stay in conftest.py files; nothing imports from those.
tests/repo/test_test_layout.py holds the suite to this."""
