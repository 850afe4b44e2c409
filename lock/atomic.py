"""Write files so that a failure leaves the old ones in place: temp file in the same directory,
fsync, os.replace. Several files (requirements.in and the lock, for `lock add`) are replaced
together: if a later replace fails, the earlier ones are put back. A command that writes several
times (the base lock, then each layer's) runs inside one `transaction()`: on any error or signal
every file it replaced is put back. Terminating signals wait while files are being replaced or
put back, so no signal lands half-way.

A symlink is written through: its target gets the new content and the link stays a link. A failure
is an OSError whose filename is the path that could not be written (not a temp file's name)."""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _stage(path: Path, data: bytes) -> Path:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _mode_for(path))
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return Path(tmp)


@contextlib.contextmanager
def replacing(path: Path, mode: int | None = None) -> Iterator[BinaryIO]:
    """A binary file for `path`'s new content, for what is too big to hold in memory (a download):
    synced and renamed over `path` when the block ends, removed if it raises -- so check the
    content inside the block and raise to keep the old file. `mode`: default the old file's."""
    path = Path(os.path.realpath(path))
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _mode_for(path) if mode is None else mode)
        os.replace(tmp, path)
        if _kept:  # a download stays when its command fails later: say so (Transaction.kept)
            _kept[-1].append(path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _sync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
_journals: list[list[tuple[Path, bytes | None]]] = []  # the open transactions' replaced files
_kept: list[list[Path]] = []  # the open transactions' finished downloads (replacing())


@contextlib.contextmanager
def _signals_wait() -> Iterator[None]:
    """Hold back SIGINT, SIGTERM and SIGHUP (delivered when the block ends)."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@dataclass
class Transaction:
    """What a command wrote: `written` (paths, in order) and, after a failure, `left`: the paths
    that could not be put back (empty when every file is as it was); `kept`: downloads finished
    (complete and checked) that a failure does not undo."""

    journal: list[tuple[Path, bytes | None]] = field(default_factory=list)
    left: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    rolled_back: bool = False

    @property
    def written(self) -> list[Path]:
        return list(dict.fromkeys(path for path, _ in self.journal))


@contextlib.contextmanager
def transaction() -> Iterator[Transaction]:
    """Every write_many inside is undone if the block raises (any exception, Ctrl-C, SIGTERM)."""
    tx = Transaction()
    _journals.append(tx.journal)
    _kept.append(tx.kept)
    try:
        yield tx
    except BaseException:
        if tx.journal:
            with _signals_wait():
                tx.left = _roll_back(tx.journal, [])
            tx.rolled_back = True
        raise
    finally:
        _journals.remove(tx.journal)
        _kept.remove(tx.kept)


def write_many(files: list[tuple[Path, str | None]]) -> None:
    """Replace each path with its text (UTF-8, newlines as given; None: remove it), all or nothing."""
    files = [(Path(os.path.realpath(path)), text) for path, text in files]  # through symlinks
    staged: list[tuple[Path, Path | None]] = []
    replaced: list[tuple[Path, bytes | None]] = []
    current = files[0][0] if files else None
    try:
        for path, text in files:
            current = path
            staged.append((path, None if text is None else _stage(path, text.encode("utf-8"))))
        with _signals_wait():
            try:
                for path, tmp in staged:
                    current = path
                    original = path.read_bytes() if path.exists() else None
                    if tmp is None:
                        if original is not None:
                            path.unlink()
                    else:
                        os.replace(tmp, path)
                    replaced.append((path, original))
            except BaseException:
                _roll_back(replaced, staged)
                raise
            if _journals:
                _journals[-1].extend(replaced)
        for directory in {path.parent for path, _ in files}:
            _sync_dir(directory)
    except OSError as e:
        _roll_back([], staged)
        raise OSError(e.errno, e.strerror or str(e), str(current)) from None
    except BaseException:
        _roll_back([], staged)
        raise


def _roll_back(replaced: list[tuple[Path, bytes | None]], staged: list[tuple[Path, Path | None]]) -> list[Path]:
    """Put the replaced files back (last first) and remove staged ones; returns what could not be put back."""
    left = []
    for path, original in reversed(replaced):
        try:
            if original is None:
                path.unlink(missing_ok=True)
            else:
                os.replace(_stage(path, original), path)
        except OSError:
            left.append(path)
    for _, tmp in staged:
        with contextlib.suppress(OSError):
            if tmp is not None:
                tmp.unlink()
    return sorted(set(left))


def write_text(path: Path, text: str) -> None:
    write_many([(path, text)])
