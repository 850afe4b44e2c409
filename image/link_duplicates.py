"""Builder step: keep one copy of files that are stored twice; the others become symlinks to it.

JupyterLab's wheel carries its built front end twice (jupyterlab/static and share/jupyter/lab/
static, ~17 MB). The venv is read-only at run time, so a relative symlink to an identical file
changes nothing a program reads. (Hard links would not survive the copy between build stages.)
The copy that stays is the first found walking the given roots in order: pass the directory
that is served first (the server refuses symlinks that leave its static root). Sorted walk: the
same links on every build.
    link_duplicates.py ROOT [ROOT...]
"""

import hashlib
import os
import sys

first_of: dict[tuple[int, str], str] = {}
saved = 0
walks = (entry for root in sys.argv[1:] for entry in os.walk(root))
for directory, dirs, files in walks:
    dirs.sort()
    for name in sorted(files):
        path = os.path.join(directory, name)
        if os.path.islink(path):
            continue
        size = os.stat(path).st_size
        if size < 4096:
            continue
        with open(path, "rb") as f:
            key = (size, hashlib.sha256(f.read()).hexdigest())
        if key in first_of:
            os.unlink(path)
            os.symlink(os.path.relpath(first_of[key], directory), path)
            saved += size
        else:
            first_of[key] = path
print(f"linked duplicate files: {saved / 1e6:.1f} MB saved")
