"""The `lock` command line.

    lock [--exclude-newer DATE] [--backend uv|pip-tools]   resolve requirements.in into requirements.lock
    lock add SPEC...                                        add requirements (newest versions), relock
    lock remove PKG...                                      remove requirements, relock (other pins stay)
    lock upgrade [PKG...]                                   move the cut-off to now minus settle-hours (or only for PKG...)
    lock check [--resolve]                                  is the lock up to date and untouched? (offline)
    lock diff OLD NEW [--exit-code] [--details]             what changed, as Markdown (--details: size, licence;
                                                            two locks, or two project folders: every lock of
                                                            NEW's layers)
    lock sbom | labels | pylock | wheelhouse                the lock's outputs: CycloneDX SBOM, OCI labels,
                                                            pylock.toml, the wheelhouse (`python -m lock.X`
                                                            and `wheelhouse` are the same commands)

Layers (lock.layers): `--layer NAME` makes lock, add, upgrade and check work on one layer of
`[tool.lock.layers]`; without it they work on the project's lock and then on every layer (which
follows its base). `--base-lock FILE`: this project's lock is a layer on FILE (pyproject.toml:
`[tool.lock] base-lock`).

Common options: --project DIR (default: the nearest directory with a pyproject.toml, from the current
one up), -q/--quiet. Exit codes: 0 ok; 1 `check` found the lock stale or edited (or `diff
--exit-code` found changes); 2 usage or input error (detected before the resolver runs wherever it
can be); 3 the resolver found no solution (unknown package, conflict, no wheel for a platform); 4 the
resolver could not run (no network, ...); `check --resolve` only: 5 the index changed under the
cut-off (the lock is still valid), 6 the same index view re-resolves to other bytes (a bug); 7 a
file could not be read or written (read-only, no space, permission: the message names it); 130
Ctrl-C, 143 SIGTERM, 129 SIGHUP. Every failure is one `lock: error:` line and changes no file.
"""

from __future__ import annotations

import argparse
import dataclasses
import contextlib
import functools
import io
import os
import sys
from pathlib import Path

from lock import backends, commands, diff, errors
from lock.errors import InputError, LockError


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, like every other input error
        raise _UsageError(f"{message} (see `{self.prog} --help`)")


def _common(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--project",
        metavar="DIR",
        default=default,
        help="the project (default: nearest pyproject.toml from the current directory up)",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="print only changes and errors",
    )


def _backend_option(parser: argparse.ArgumentParser, suppress: bool) -> None:
    parser.add_argument(
        "--backend",
        choices=tuple(backends.REGISTRY),
        default=argparse.SUPPRESS if suppress else None,
        help="resolver (default: the one the lock was made with, else uv; pip-tools only resolves for the running Python and machine)",
    )


def _layer_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--layer", metavar="NAME", default=default,
                        help="only this layer of [tool.lock.layers] (default: the project's lock, then every layer)")
    parser.add_argument("--base-lock", metavar="FILE", default=default,
                        help="resolve on top of FILE, a lock whose pins stay as they are (default: [tool.lock] base-lock)")
    parser.add_argument("--base-image", metavar="IMAGE", default=default,
                        help="first copy the lock files IMAGE carries (/opt/locks) to the base lock's folder "
                        "(default image-locks/)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="lock",
        description="Resolve requirements.in into a hashed, reproducible requirements.lock for the image's "
        "Python and platforms, and check it.",
        epilog="Exit codes: 0 ok, 1 check failed (stale or hand-edited lock), 2 usage/input error, "
        "3 no resolution (unknown package, conflict, no wheel for a platform), 4 resolver could not run "
        "(network); check --resolve: 5 the index changed under the cut-off (lock still valid), 6 the same "
        "index view gives other bytes (a bug); 7 a file could not be read or written (read-only, no space, "
        "permission); 130/143/129 interrupted (Ctrl-C, SIGTERM, SIGHUP).",
    )
    _common(parser, suppress=False)
    _backend_option(parser, suppress=False)
    _layer_options(parser, suppress=False)
    parser.add_argument(
        "--exclude-newer",
        metavar="DATE",
        help="resolve with uploads up to DATE (default: the cut-off recorded in the lock, else now minus [tool.lock] settle-hours)",
    )
    parser.set_defaults(func=cmd_lock)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("add", help="add requirements to requirements.in and relock")
    p.add_argument("specs", nargs="+", metavar="SPEC", help="a requirement, e.g. 'polars>=1' or 'pandas[excel]'")
    p.add_argument(
        "--exclude-newer",
        metavar="DATE",
        default=argparse.SUPPRESS,
        help="per-package cut-off for the new packages (default: now minus [tool.lock] settle-hours, 24 by default)",
    )
    _backend_option(p, suppress=True)
    _common(p, suppress=True)
    _layer_options(p, suppress=True)
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("remove", help="remove requirements from requirements.in and relock (other pins stay)")
    p.add_argument("packages", nargs="+", metavar="PKG", help="a package name required in requirements.in")
    _backend_option(p, suppress=True)
    _common(p, suppress=True)
    _layer_options(p, suppress=True)
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser("upgrade", help="upgrade everything, or only the named packages")
    p.add_argument("packages", nargs="*", metavar="PKG")
    p.add_argument("--exclude-newer", metavar="DATE", default=argparse.SUPPRESS, help="the new cut-off (default: now minus [tool.lock] settle-hours)")
    _backend_option(p, suppress=True)
    _common(p, suppress=True)
    _layer_options(p, suppress=True)
    p.set_defaults(func=cmd_upgrade)

    p = sub.add_parser("check", help="exit 1 if the lock is out of date with its inputs or was edited (offline)")
    p.add_argument(
        "--resolve",
        action="store_true",
        help="also re-resolve with the recorded cut-offs and compare bytes (needs the network)",
    )
    _common(p, suppress=True)
    _layer_options(p, suppress=True)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("diff", help="print the changes between two locks (or two project folders) as Markdown")
    p.add_argument("old", metavar="OLD")
    p.add_argument("new", metavar="NEW")
    p.add_argument("--format", choices=("markdown", "text"), default="markdown")
    p.add_argument("--title", help="the heading's file name (default: NEW's name)")
    p.add_argument("--exit-code", action="store_true", help="exit 1 when the pins differ")
    p.add_argument("--details", action="store_true",
                   help="Markdown: also each package's installed-size change and licence (reads the index; cached)")
    p.set_defaults(func=cmd_diff)

    # The outputs of a lock, each behind this one error funnel (`python -m lock.X` are shims of these).
    from lock import labels, pylock, sbom
    from lock.wheelhouse import cli as wheelhouse

    for name, module, about in (
        ("sbom", sbom, "write the CycloneDX SBOM of a lock (licences from the index; cached)"),
        ("labels", labels, "print the image's OCI labels for a lock, one KEY=VALUE a line"),
        ("pylock", pylock, "write pylock.toml (PEP 751) for the lock as it is, without resolving"),
        ("wheelhouse", wheelhouse, "fetch the locked wheels for every target into a wheelhouse (offline builds)"),
    ):
        p = sub.add_parser(name, help=about, description=about)
        module.add_arguments(p)
        p.set_defaults(func=module.run)
    return parser


# -- helpers ------------------------------------------------------------------------------------


def _say(args, message: str) -> None:
    if not getattr(args, "quiet", False):
        print(f"lock: {message}", file=sys.stderr, flush=True)


def _warn(message: str) -> None:
    print(f"lock: warning: {message}", file=sys.stderr)


def _config(args):
    return commands.open_config(getattr(args, "project", None), getattr(args, "layer", None),
                                getattr(args, "base_lock", None), getattr(args, "base_image", None))


def _print_relocked(result: commands.Relocked) -> int:
    if result.wrote:
        print(f"lock: wrote {result.output}: {result.summary}")
    else:
        print(f"lock: {result.output} is up to date: {result.summary}")
    if result.old_cutoffs and result.old_cutoffs != result.cutoffs:
        print(f"  cut-off     {result.old_cutoffs.describe()} -> {result.cutoffs.describe()}")
    if result.changes:
        sys.stdout.write(diff.render_text(result.changes))
    elif result.wrote:
        print("  (no package changes)")
    return errors.EXIT_OK


def _writing(args, run) -> int:
    """A command that may write: under the project lock, its result printed."""
    config = _config(args)
    say = functools.partial(_say, args)
    with commands.project_locked(config, say):
        return _print_relocked(run(config, say))


# -- commands -----------------------------------------------------------------------------------


def cmd_lock(args) -> int:
    return _writing(args, lambda config, say: commands.lock(
        config, getattr(args, "backend", None), getattr(args, "exclude_newer", None), say, _warn))


def cmd_add(args) -> int:
    return _writing(args, lambda config, say: commands.add(
        config, args.specs, getattr(args, "backend", None), getattr(args, "exclude_newer", None), say, _warn))


def cmd_remove(args) -> int:
    return _writing(args, lambda config, say: commands.remove(
        config, args.packages, getattr(args, "backend", None), say, _warn))


def cmd_upgrade(args) -> int:
    return _writing(args, lambda config, say: commands.upgrade(
        config, args.packages, getattr(args, "backend", None), getattr(args, "exclude_newer", None), say, _warn))


def cmd_check(args) -> int:
    from lock.check import check, check_resolve

    config = _config(args)
    report = check(config)
    output = config.rel(config.output)
    command = report.parsed.settings.command if report.parsed else (f"lock --layer {config.layer}" if config.layer else "lock")
    if report.problems:
        kinds = {p.kind for p in report.problems}
        edited = [p.file or output for p in report.problems if p.kind == "edited"]
        if "missing" in kinds:
            head = f"{output} does not exist -- run `{command}` to create it"
        elif edited and edited[0] != output:  # a derived file (pylock.toml, the index view)
            head = f"{edited[0]} was edited by hand -- run `{command}` to regenerate it"
            if edited[0].endswith(".index-view"):
                head = f"{edited[0]} was edited by hand or damaged"
        elif edited:
            head = (
                f"{output} was edited by hand -- run `{command}` to regenerate it "
                "(change requirements.in, or use `lock add` / `lock upgrade`, instead of the lock)"
            )
        else:
            stale = next(p.file or output for p in report.problems if p.kind == "stale")
            head = f"{stale} is out of date -- run `{command}` to update it"
        print(f"lock: {head}:", file=sys.stderr)
        for p in report.problems:
            print(f"  - {p.message}", file=sys.stderr)
        return errors.EXIT_STALE
    s = report.parsed.settings
    print(
        f"lock: {output} is up to date ({len(report.entries)} packages, Python {s.python}, "
        f"{' '.join(s.platforms)}, {s.backend}, {s.cutoffs.describe()})"
    )
    if args.resolve:
        _say(args, f"re-resolving with {s.backend} and the recorded cut-offs")
        resolved = check_resolve(config, report)
        if resolved is not None:
            return _report_drift(output, s, resolved)
        print(f"lock: re-resolving reproduces {output} byte for byte")
    return errors.EXIT_OK


def _report_drift(output: str, settings, resolved) -> int:
    """Say why re-resolving gave other bytes; never advise a plain relock (it would move pins)."""
    from lock import drift

    verdict = resolved.verdict
    err = functools.partial(print, file=sys.stderr)
    if verdict.kind == drift.INDEX_CHANGED:
        err(f"lock: the package index changed under {output}'s cut-off ({settings.cutoffs.describe()}); "
            "re-resolving now gives other bytes:")
        for line in verdict.findings:
            err(f"  - {line}")
        err(f"  ({resolved.changes})")
        err(f"lock: {output} is still valid: it installs exactly as before (every file is pinned by its hash).")
        if verdict.upgrades:
            err(f"lock: to take the newer versions on purpose: lock upgrade {' '.join(verdict.upgrades)}")
        if not verdict.proven:
            err(f"lock: {output} has no recorded index view, so a non-determinism is not ruled out; "
                "the next `lock upgrade` records one")
        return errors.EXIT_INDEX_CHANGED
    err(f"lock: {output} is not reproducible: {verdict.findings[0]} -- a bug in lock or the resolver; "
        "please report it with this output:")
    err(f"  - {resolved.changes}")
    return errors.EXIT_NOT_REPRODUCIBLE


def cmd_diff(args) -> int:
    if Path(args.old).is_dir() and Path(args.new).is_dir():
        return _diff_projects(args)
    old, old_cut = commands.read_lock(args.old, missing=getattr(args, "old_missing", False))
    new, new_cut = commands.read_lock(args.new)
    changes = diff.compare(old, new)
    if args.format == "text":
        sys.stdout.write(diff.render_text(changes) or "  no package changes\n")
    else:
        title = args.title or os.path.basename(args.new)
        extra, note = commands.diff_details(args.new, changes, old, new) if args.details and changes else (None, None)
        sys.stdout.write(diff.render_markdown(changes, title, old_cut, new_cut, extra, note))
    return errors.EXIT_STALE if (args.exit_code and changes) else errors.EXIT_OK


def _os_error(e: OSError) -> LockError:
    """A file that could not be read or written, wherever it happened: its path and the reason."""
    name = e.filename2 or e.filename  # os.replace(tmp, path): the path is the second name
    reason = e.strerror or type(e).__name__
    if name is None:
        return errors.FileSystemError(f"{reason}")
    try:
        shown = os.path.relpath(os.fsdecode(name))
    except ValueError:
        shown = os.fsdecode(name)
    return errors.FileSystemError(f"{shown}: {reason}")


def _diff_projects(args) -> int:
    """`lock diff OLD_DIR NEW_DIR`: each lock of NEW's project (its own, then its layers'), in turn."""
    code = errors.EXIT_OK
    for rel in commands.project_locks(args.new):
        old = Path(args.old, rel)
        one = argparse.Namespace(**{**vars(args), "old": str(old) if old.is_file() else os.devnull,
                                    "old_missing": not old.is_file(), "new": str(Path(args.new, rel)), "title": rel})
        code = cmd_diff(one) or code
    return code


_COMMANDS = {"lock": cmd_lock, "add": cmd_add, "remove": cmd_remove, "upgrade": cmd_upgrade, "check": cmd_check}


def _run(args) -> int:
    """Each lock the command goes through (commands.lock_steps): every one runs, even after a failed
    check, so that each says what is wrong; the first failure's exit code wins."""
    name = next((n for n, f in _COMMANDS.items() if f is args.func), None)
    if name is None or getattr(args, "layer", None):
        return args.func(args)
    config = _config(args)
    steps = commands.lock_steps(config, name, None, getattr(args, "packages", []))
    if name == "check" or len(steps) == 1:
        return _steps(args, name, steps)
    # One writer for the whole run, which main() makes one transaction: what each lock's step
    # wrote is printed once every step has succeeded (a failure puts every file back).
    printed = io.StringIO()
    with commands.project_locked(config, functools.partial(_say, args)), contextlib.redirect_stdout(printed):
        code = _steps(args, name, steps)
    sys.stdout.write(printed.getvalue())
    return code


def _steps(args, name: str, steps) -> int:
    code = errors.EXIT_OK
    for layer, command in steps:
        one = args if layer is None else argparse.Namespace(
            **{**vars(args), "layer": layer, "base_lock": None, "base_image": None})
        if command != name:  # a layer following its base: relocked with its own cut-offs
            one.exclude_newer = None
        result = _COMMANDS[command](one)
        code = errors.most_severe(code, result) if name == "check" else (code or result)
    return code


class _StandardOutput:
    """sys.stdout for a command's run: a full or closed standard output fails like any other file,
    named, instead of as an OSError without a name (or at the interpreter's exit)."""

    def __init__(self, stream):
        self._stream = stream

    def _named(self, call, *args):
        try:
            return call(*args)
        except OSError as e:
            raise errors.FileSystemError(f"standard output: {e.strerror or type(e).__name__}") from None

    def write(self, text: str) -> int:
        return self._named(self._stream.write, text)

    def flush(self) -> None:
        self._named(self._stream.flush)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def _stdout_works() -> bool:
    """Whether standard output takes what is buffered; if not, it is pointed at os.devnull so that
    the interpreter's own flush at exit does not print a second error."""
    try:
        sys.stdout.flush()
        return True
    except OSError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return False


def main(argv: list[str] | None = None) -> int:
    """Run one command. The one place that turns every failure into its exit code and one line."""
    from lock.interrupt import Terminated, signals_raise

    from lock.atomic import transaction

    parser = build_parser()
    tx = None
    try:
        with signals_raise(), transaction() as tx:
            args = parser.parse_args(argv)
            stdout, sys.stdout = sys.stdout, _StandardOutput(sys.stdout)
            try:
                code = _run(args)
                sys.stdout.flush()
            finally:
                sys.stdout = stdout
            return code
    except _UsageError as e:
        error: LockError = InputError(str(e))
    except LockError as e:
        error = e
    except OSError as e:
        error = _os_error(e)
    except RecursionError:  # e.g. a marker nested thousands deep
        error = InputError("input nested too deeply to parse")
    except KeyboardInterrupt:
        print(f"lock: interrupted; {_what_changed(tx)}", file=sys.stderr)
        return errors.EXIT_INTERRUPTED
    except Terminated as e:
        print(f"lock: stopped by {e}; {_what_changed(tx)}", file=sys.stderr)
        return 128 + e.signum
    _stdout_works()
    if tx is not None and (tx.rolled_back or tx.kept):
        print(f"lock: error: {error} -- {_what_changed(tx)}", file=sys.stderr)
    else:
        print(f"lock: error: {error}", file=sys.stderr)
    return error.exit_code


def _what_changed(tx) -> str:
    """After a failed run: which files it had written were put back, and which could not be; and the
    downloads it finished, which stay (each complete and checked, as a later run would keep them)."""
    if tx is not None and tx.kept:
        folders = ", ".join(sorted({os.path.relpath(p.parent) for p in tx.kept}))
        kept = f"{len(tx.kept)} downloaded file(s) kept in {folders}, each complete and hash-checked"
        if not tx.rolled_back:
            return f"{kept}; no other file was changed"
        return f"{kept}; {_what_changed(dataclasses.replace(tx, kept=[]))}"
    if tx is None or not tx.rolled_back:
        return "no file was changed"
    shown = ", ".join(sorted(os.path.relpath(p) for p in tx.written))
    if not tx.left:
        return f"no file was changed ({shown} put back as it was)"
    return (f"CHANGED and could not be put back: {', '.join(os.path.relpath(p) for p in tx.left)} "
            "(restore them from version control)")


def wheelhouse() -> int:
    """The `wheelhouse` command (pyproject.toml [project.scripts]): `lock wheelhouse`."""
    return main(["wheelhouse", *sys.argv[1:]])
