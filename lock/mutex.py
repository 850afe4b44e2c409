"""One `lock`, `lock add` or `lock upgrade` at a time per project: an exclusive flock on
`.requirements.lock.flock` next to the lock file. A second run waits (saying so) instead of
reading requirements.in while the first rewrites it, so no edit is lost.

The file exists only while a run holds it: the holder deletes it before releasing, and a waiter
that then gets the flock of the deleted file sees that the path no longer names its file and tries
again. The kernel releases the flock however a run ends; a SIGKILLed run leaves the empty file
(ignored by git, harmless: the next run takes it over)."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Callable, Iterator
from pathlib import Path

# Read-only, no permission, full, or no such directory (refused later as bad input).
_CANNOT_CREATE = (errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EDQUOT, errno.ENOENT, errno.ENOTDIR)


def lock_path(output: Path) -> Path:
    return output.parent / f".{output.name}.flock"


def _still_there(fd: int, path: Path) -> bool:
    try:
        return os.stat(path).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


_held: set[Path] = set()  # held by this process: a run through several locks takes it once


@contextlib.contextmanager
def held(output: Path, say: Callable[[str], None]) -> Iterator[None]:
    path = lock_path(output)
    if path in _held:
        yield
        return
    waited = False
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        except OSError as e:
            if e.errno not in _CANNOT_CREATE:
                raise
            # Nothing can be written here: run unlocked; any write fails later naming the path.
            yield
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not waited:
                holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
                say(f"waiting for another lock run on this project to finish (pid {holder} holds {path.name})")
                waited = True
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            except BaseException:
                os.close(fd)
                raise
        if _still_there(fd, path):
            break
        os.close(fd)  # the holder deleted it meanwhile: take the new one
    _held.add(path)
    try:
        with contextlib.suppress(OSError):  # who holds it, for the message above
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        _held.discard(path)
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)
