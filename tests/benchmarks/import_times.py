"""Import time of the submodules of one top-level package, on request, run by an image's own python
(the benchmark passes this file as `docker run -i IMAGE python -c SOURCE PACKAGE`). Standard
library only.

The process reads module names from stdin, one a line, and for each forks a child that imports it
and prints one JSON line, {module: seconds or null}. PACKAGE itself is imported by children of a
process that imported nothing; before its first submodule the process imports PACKAGE itself, so
each submodule's time is what importing it costs once its package is imported, and no submodule's
import is helped by another's. A module that fails to import (a GUI backend without its toolkit,
or any submodule of a package that does not import) is null.
The benchmark keeps one such process per image open and asks both for the same module at once
(module_ratios.py says why).

The seconds are the importing process's CPU time (user and system, time.process_time), not the
wall clock: an import is CPU work (reading bytecode, or compiling the source when there is none,
and running the module), and on a shared machine the wall clock mostly measures the neighbours."""

import importlib
import json
import os
import signal
import sys
import time
import warnings

warnings.simplefilter("ignore")


def import_alone(name: str) -> float | None:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        signal.alarm(120)  # a module that hangs is reported as failed, not waited for
        try:
            start = time.process_time()
            importlib.import_module(name)
            os.write(write, repr(time.process_time() - start).encode())
        except BaseException:
            pass
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        answer = pipe.read()
    os.waitpid(pid, 0)
    return float(answer) if answer else None


def main(top: str) -> None:
    parent = None  # whether PACKAGE imported here; not tried yet
    for line in sys.stdin:
        if not (name := line.strip()):
            continue
        if name != top and parent is None:
            signal.alarm(300)  # a package that hangs ends this process: the benchmark reads no answer
            try:
                importlib.import_module(top)
                parent = True
            except Exception:
                parent = False
            signal.alarm(0)
        print(json.dumps({name: import_alone(name) if parent is not False else None}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
