"""Config that cannot clobber: every file a run writes (each lock, its index view, pylock.toml)
is inside the project and is no input (pyproject.toml, the Dockerfile, a requirements file, the
base lock) and no other output. Checked before anything runs; a violation is one line naming the
pyproject.toml key (or option), exit 2."""

from __future__ import annotations

import os
from pathlib import Path

from lock import index_view
from lock.errors import InputError
from lock.config import Config


def _key(layer: str | None, name: str) -> str:
    return f"pyproject.toml [tool.lock.layers.{layer}] {name}" if layer else f"pyproject.toml [tool.lock] {name}"


def files(config: Config, pylock: Path | None, base_key: str) -> tuple[list[tuple[str, Path]], list[tuple[str, Path]]]:
    """(inputs, outputs) of a run through the project's lock and every layer: (what names it, path)."""
    inputs = [("pyproject.toml", config.root / "pyproject.toml"), (_key(None, "requirements"), config.requirements),
              (_key(None, "dockerfile"), config.dockerfile)]
    if config.base is not None:
        inputs.append((base_key, config.base))
    outputs = [(_key(None, "output"), config.output),
               (f"{_key(None, 'output')} (its index view)", index_view.path_for(config.output))]
    if pylock is not None:
        outputs.append((_key(None, "pylock"), pylock))
    for name, requirements, output in config.layers:
        inputs.append((_key(name, "requirements"), requirements))
        outputs += [(_key(name, "output"), output),
                    (f"{_key(name, 'output')} (its index view)", index_view.path_for(output))]
    return inputs, outputs


def validate(config: Config, pylock: Path | None, base_key: str = "pyproject.toml [tool.lock] base-lock") -> None:
    """Raise InputError naming the key of the first output that could clobber a file."""
    root = Path(os.path.realpath(config.root))
    inputs, outputs = files(config, pylock, base_key)
    seen: dict[str, str] = {}
    for key, path in inputs:
        seen.setdefault(os.path.realpath(path), key)
    for key, path in outputs:
        real = Path(os.path.realpath(path))
        if real == root or root not in real.parents:
            raise InputError(f"{key}: {_shown(config, path)} is outside the project ({config.root})")
        other = seen.get(str(real))
        if other is not None:
            raise InputError(f"{key}: {_shown(config, path)} is also {other}; every file lock writes must be "
                             "distinct from its inputs and its other outputs")
        seen[str(real)] = key


def _shown(config: Config, path: Path) -> str:
    return config.rel(path)
