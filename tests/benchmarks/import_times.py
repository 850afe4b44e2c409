"""Import time of each module named on the command line, run by an image's own python (the
benchmark pipes this file in: `docker run -i IMAGE python - MODULE...`). Standard library only.

Per top-level package, a fresh interpreter imports the package (that time is the package's), then
forks one child per submodule, which imports it and reports the time: each submodule's time is what
importing it costs once its package is imported, and no submodule's import is helped by another's.
A module that fails to import (a GUI backend without its toolkit) is reported as None. Prints one
JSON object, {module: seconds or null}.

The seconds are the importing process's CPU time (user and system, time.process_time), not the
wall clock: an import is CPU work (reading bytecode, or compiling the source when there is none,
and running the module), and on a shared machine the wall clock mostly measures the neighbours."""

import json
import subprocess
import sys

# One interpreter per top-level package; argv: the package, then its submodules.
PER_PACKAGE = r"""
import importlib, json, os, signal, sys, time, warnings
warnings.simplefilter("ignore")
top, names = sys.argv[1], sys.argv[2:]
start = time.process_time()
importlib.import_module(top)
times = {top: time.process_time() - start}
for name in names:
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
    times[name] = float(answer) if answer else None
print(json.dumps(times))
"""


def main(names: list[str]) -> None:
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(name.split(".")[0], []).append(name)
    times = {}
    for top, group in groups.items():
        result = subprocess.run([sys.executable, "-c", PER_PACKAGE, top, *(n for n in group if n != top)],
                                capture_output=True, text=True, timeout=3600)
        if result.returncode != 0:
            times.update(dict.fromkeys(group))
            print(f"import_times: {top} does not import: {result.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
            continue
        times.update(json.loads(result.stdout))
    print(json.dumps(times))


if __name__ == "__main__":
    main(sys.argv[1:])
