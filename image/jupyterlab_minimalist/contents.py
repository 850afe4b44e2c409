"""How the lab keeps files: it opens in notebooks/ (a volume, so the first notebook can be saved),
and every save writes a hidden temporary file beside the target, syncs it and renames it over the
target. jupyter_server's own "atomic" writing rewrites the file in place (with a backup copy), so a
container killed mid-save leaves a truncated notebook; a rename leaves the old or the new one."""

import os
import uuid
from contextlib import contextmanager, suppress

from jupyter_server.services.contents.filecheckpoints import AsyncFileCheckpoints
from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from traitlets import default

OPENS_IN = "notebooks"


@contextmanager
def replacing(path: str, text: bool = True, **open_args):
    """Open a temporary file for writing; on success it replaces path, on any error it is removed."""
    path = os.path.realpath(path)  # a symlinked notebook: replace its target, keep the link
    directory, name = os.path.split(path)
    temporary = os.path.join(directory, f".~{name}.{uuid.uuid4().hex[:8]}.saving")
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
