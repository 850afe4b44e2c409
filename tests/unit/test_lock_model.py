"""One lock model: the same lock bytes are accepted or refused by every reader of the format --
the parser itself, `lock check`, `lock diff`, a layer's base lock and the wheelhouse. (They used to
disagree: the wheelhouse fetched `six===1.0` and hashes followed by `# note`, which `lock check`
called hand edits.)"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from lock import header, layers
from lock.cli import main
from lock.errors import InputError
from lock.lockfile import parse_body, render_body
from lock.config import load_config
from lock.wheelhouse.fetch import read_pins

A, B = "sha256:" + "a" * 64, "sha256:" + "b" * 64
URL = "https://files.example/six-1.0-py3-none-any.whl#sha256=" + "a" * 64

ACCEPTED = {
    "pinned and hashed": f"six==1.0 \\\n    --hash={A} \\\n    --hash={B}\n    # via -r requirements.in\n",
    "with a marker": f'six==1.0 ; platform_machine == "x86_64" \\\n    --hash={A}\n',
    "a URL with its hash": f"six @ {URL} \\\n    --hash={A}\n",
}
REFUSED = {  # body -> the line the problem is reported on (the body starts at line 1)
    "arbitrary equality": (f"six===1.0 \\\n    --hash={A}\n", 1),
    "a comment after a hash": (f"six==1.0 \\\n    --hash={A}  # note\n", 1),
    "not pinned": (f"six>=1.0 \\\n    --hash={A}\n", 1),
    "a wildcard": (f"six==1.* \\\n    --hash={A}\n", 1),
    "no hash": ("six==1.0\n", 1),
    "not sha256": ("six==1.0 \\\n    --hash=md5:abc\n", 1),
    "an option line": (f"--index-url https://example.org/simple\nsix==1.0 \\\n    --hash={A}\n", 1),
    "an option on an entry": (f"six==1.0 --no-deps \\\n    --hash={A}\n", 1),
    "listed twice": (f"six==1.0 \\\n    --hash={A}\nsix==1.0 \\\n    --hash={B}\n", 3),
    "not a requirement": (f"what is this\nsix==1.0 \\\n    --hash={A}\n", 1),
}
CASES = [pytest.param(body, None, id=name) for name, body in ACCEPTED.items()] + [
    pytest.param(body, line, id=name) for name, (body, line) in REFUSED.items()
]


@pytest.fixture
def locked(project, fake_resolver) -> Path:
    root = project("six\n")
    assert main(["--project", str(root), "-q", "--exclude-newer", "2024-06-01"]) == 0
    (root / "requirements.lock.index-view").unlink(missing_ok=True)  # it names the body it belongs to
    return root


def with_body(root: Path, body: str) -> tuple[Path, int]:
    """requirements.lock with `body` under a header that matches it; the body's first line number."""
    lock = root / "requirements.lock"
    settings = header.parse(lock.read_text()).settings
    lock.write_text(header.render(settings, body))
    return lock, header.parse(lock.read_text()).body_line


@pytest.mark.parametrize("body, line", CASES)
def test_every_reader_accepts_or_refuses_the_same_bytes(locked, capsys, monkeypatch, body, line):
    original = locked / "requirements.old.lock"
    original.write_bytes((locked / "requirements.lock").read_bytes())
    lock, first = with_body(locked, body)
    where = f"requirements.lock:{first + line - 1}" if line else None
    verdicts = {}

    problems = parse_body(body, "requirements.lock", first).problems
    verdicts["parse"] = problems[0].split(": ")[0] if problems else None
    if not problems:
        assert render_body(parse_body(body).entries) == body  # the accepted rows are what lock writes

    code = main(["check", "--project", str(locked)])
    err = capsys.readouterr().err
    verdicts["check"] = where if code == 1 and f"  - {where}: " in err else (None if code == 0 else err)

    monkeypatch.chdir(locked)
    code = main(["diff", original.name, lock.name])
    err = capsys.readouterr().err
    verdicts["diff"] = where if code == 2 and f"lock: error: {where}: " in err else (
        None if code == 0 else err)

    config = load_config(locked)
    for reader, read in {
        "layer base": lambda: layers.read_base(dataclasses.replace(config, base=lock)),
        "wheelhouse": lambda: read_pins(lock, "requirements.lock"),
    }.items():
        try:
            read()
            verdicts[reader] = None
        except InputError as e:
            verdicts[reader] = str(e).split(": ")[0]

    assert verdicts == dict.fromkeys(verdicts, where)
