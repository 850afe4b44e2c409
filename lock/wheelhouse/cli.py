"""`lock wheelhouse` (also the `wheelhouse` command and `python -m lock.wheelhouse`, which
scripts/wheelhouse runs): its options and its run; errors go to lock.cli's one funnel."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from lock.errors import ResolutionError
from lock.index import FILES_INDEX, Index, index_url
from lock.layers import target_python
from lock.config import find_root, load_config
from lock.wheelhouse import manifest
from lock.wheelhouse.fetch import fill, mb, plan, read_pins

BUILD_TOOLS = "image/build-tools.txt"



def _jobs(text: str) -> int:
    """--jobs: a whole number of parallel requests, 1 to 64 (argparse turns the error into exit 2)."""
    import argparse

    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 64:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to 64, not {text!r}")
    return int(text)

def add_arguments(parser) -> None:
    """`lock wheelhouse`'s options (lock.cli)."""
    parser.add_argument("--project", metavar="DIR", help="the project (default: nearest pyproject.toml)")
    parser.add_argument("--dest", metavar="DIR", help="the wheelhouse (default: PROJECT/wheelhouse)")
    parser.add_argument("--lock", metavar="FILE", action="append",
                        help=f"a hashed lock to fetch (repeatable; default: the project's lock and {BUILD_TOOLS})")
    parser.add_argument("--prune", action="store_true", help="delete files in the wheelhouse that no lock wants")
    parser.add_argument("--refresh", action="store_true",
                        help=f"ask the index again even when {manifest.MANIFEST} says the wheelhouse is complete")
    parser.add_argument("--jobs", type=_jobs, default=8, help="parallel requests, 1 to 64 (default 8)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the summary and errors")


def run(args) -> int:
    """Fetch the locked wheels for the target platforms into a wheelhouse for an offline build;
    errors are raised for lock.cli's one funnel."""

    def say(message: str) -> None:
        if not args.quiet:
            print(message, flush=True)

    started = time.monotonic()
    root = Path(args.project).resolve() if args.project else find_root(Path.cwd())
    config = load_config(root)
    python = target_python(config).version
    locks = [Path(p) for p in args.lock] if args.lock else [config.output, root / BUILD_TOOLS]
    pins = [pin for lock in locks for pin in read_pins(lock, config.rel(lock))]
    dest = Path(args.dest).resolve() if args.dest else root / "wheelhouse"
    fingerprint = manifest.inputs_fingerprint(locks, config.platforms, python)
    known = None if args.refresh else manifest.up_to_date(dest, fingerprint)
    if known is not None:
        wanted = set(known)
        fetched, fetched_bytes, present = 0, 0, len(known)
        say(f"{dest.name}/ is complete for these locks ({manifest.MANIFEST}); the index was not asked")
    else:
        index = Index(index_url(variables=FILES_INDEX), workers=args.jobs)
        result = plan(pins, config.platforms, python, index, args.jobs)
        if result.problems:
            raise ResolutionError(
                f"{len(result.problems)} pinned package(s) cannot be installed offline: "
                + "; ".join(result.problems)
            )
        fetched, fetched_bytes, present = fill(dest, result.wanted, index, args.jobs, say)
        manifest.write(dest, fingerprint, {name: f.sha256 for name, f in result.wanted.items()})
        wanted = set(result.wanted)
    others = sorted(p for p in dest.iterdir() if p.name not in wanted and p.name != manifest.MANIFEST)
    if args.prune:
        for path in others:
            if path.is_file():
                path.unlink()
    elif others:
        say(f"{len(others)} other file(s) in {dest.name}/ no lock wants (--prune deletes them)")
    total = sum((dest / name).stat().st_size for name in wanted)
    platforms = ", ".join(p.name for p in config.platforms)
    print(
        f"wheelhouse: {len(wanted)} wheels for Python {python} on {platforms}, {mb(total)} in {dest}; "
        f"fetched {fetched} ({mb(fetched_bytes)}), {present} already there, in {time.monotonic() - started:.1f} s"
    )
    return 0
