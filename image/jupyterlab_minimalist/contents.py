"""How the lab keeps files: it opens in notebooks/ (a volume, so the first notebook can be saved),
and every save writes a hidden temporary file beside the target, syncs it and renames it over the
target. jupyter_server's own "atomic" writing rewrites the file in place (with a backup copy), so a
container killed mid-save leaves a truncated notebook; a rename leaves the old or the new one."""

import errno
import os
import re
import threading
import time
import uuid
from contextlib import contextmanager, suppress

from jupyter_server.services.contents.filecheckpoints import AsyncFileCheckpoints
from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from tornado.web import HTTPError
from traitlets import default

OPENS_IN = "notebooks"
# ".~" + name + ".1234abcd.saving": the name is cut so that the whole fits in 255 bytes, the
# longest file name Linux takes: a name jupyter_server itself could save saves here too.
NAME_MAX = 255
TEMPORARY = re.compile(r"\.~.*\.[0-9a-f]{8}\.saving")


def temporary_name(name: str) -> str:
    suffix = f".{uuid.uuid4().hex[:8]}.saving"
    room = NAME_MAX - len(".~".encode()) - len(suffix.encode())
    return ".~" + name.encode()[:room].decode(errors="ignore") + suffix


def clear_leftovers(root: str, started: float) -> None:
    """Remove save temporaries a killed server left behind: those older than this server."""
    for folder, _, files in os.walk(root):
        for name in files:
            if TEMPORARY.fullmatch(name):
                path = os.path.join(folder, name)
                with suppress(OSError):
                    if os.lstat(path).st_mtime < started:
                        os.unlink(path)


@contextmanager
def replacing(path: str, text: bool = True, **open_args):
    """Open a temporary file for writing; on success it replaces path, on any error it is removed."""
    path = os.path.realpath(path)  # a symlinked notebook: replace its target, keep the link
    directory, name = os.path.split(path)
    temporary = os.path.join(directory, temporary_name(name))
    if text:
        open_args.setdefault("encoding", "utf-8")
        open_args.setdefault("newline", "\n")  # Unix line ends, as jupyter_server writes them
    # O_EXCL: never follow or reuse something already there; 0o666 minus the umask, as open() would.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with open(descriptor, "w" if text else "wb", **open_args) as f:
            if os.path.exists(path):
                os.chmod(temporary, os.stat(path).st_mode & 0o7777)
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise
    # The rename itself survives a crash of the machine only once the folder is synced.
    with suppress(OSError):
        folder = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def copy_replacing(source: str, destination: str) -> None:
    with open(source, "rb") as f, replacing(destination, text=False) as out:
        while chunk := f.read(1 << 20):
            out.write(chunk)


class AtomicCheckpoints(AsyncFileCheckpoints):
    """Checkpoints (and restoring one over the notebook) copied by rename too."""

    async def _copy(self, src, dest):
        copy_replacing(src, dest)


class AtomicContentsManager(AsyncLargeFileManager):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # In the background: a big volume must not delay the start.
        threading.Thread(target=clear_leftovers, args=(self.root_dir, time.time()), daemon=True).start()

    @contextmanager
    def perm_to_403(self, os_path=""):
        """A read-only file system (the image's own folders) is a 403 like a permission, not a 500."""
        try:
            with super().perm_to_403(os_path):
                yield
        except OSError as error:
            if error.errno != errno.EROFS:
                raise
            raise HTTPError(403, f"Read-only folder: save in {OPENS_IN}/ or another mounted folder") from error

    @default("preferred_dir")
    def _opens_in_notebooks(self):
        return OPENS_IN if os.path.isdir(os.path.join(self.root_dir, OPENS_IN)) else ""

    @default("checkpoints_class")
    def _atomic_checkpoints(self):
        return AtomicCheckpoints

    @contextmanager
    def atomic_writing(self, os_path, text=True, **kwargs):
        kwargs.pop("log", None)
        with self.perm_to_403(os_path), replacing(os_path, text=text, **kwargs) as f:
            yield f
