"""The `lock` command line.

    lock [--exclude-newer DATE] [--backend uv|pip-tools]   resolve requirements.in into requirements.lock
    lock add SPEC...                                        add requirements (newest versions), relock
    lock upgrade [PKG...]                                   move the cut-off to now (or only for PKG...)
    lock check [--resolve]                                  is the lock up to date and untouched? (offline)
    lock diff OLD NEW [--exit-code] [--details]             what changed, as Markdown (--details: size, licence;
                                                            two locks, or two project folders: every lock of
                                                            NEW's layers)

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
import contextlib
import dataclasses
import functools
import os
import sys
from pathlib import Path

from lock import errors, index_view
from lock.errors import InputError, LockError, shorten


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
        choices=("uv", "pip-tools"),
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
        help="resolve with uploads up to DATE (default: the cut-off recorded in the lock, else now)",
    )
    parser.set_defaults(func=cmd_lock)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("add", help="add requirements to requirements.in and relock")
    p.add_argument("specs", nargs="+", metavar="SPEC", help="a requirement, e.g. 'polars>=1' or 'pandas[excel]'")
    p.add_argument(
        "--exclude-newer",
        metavar="DATE",
        default=argparse.SUPPRESS,
        help="per-package cut-off for the new packages (default: now)",
    )
    _backend_option(p, suppress=True)
    _common(p, suppress=True)
    _layer_options(p, suppress=True)
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("upgrade", help="upgrade everything, or only the named packages")
    p.add_argument("packages", nargs="*", metavar="PKG")
    p.add_argument("--exclude-newer", metavar="DATE", default=argparse.SUPPRESS, help="the new cut-off (default: now)")
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
    return parser


# -- helpers ------------------------------------------------------------------------------------


def _say(args, message: str) -> None:
    if not getattr(args, "quiet", False):
        print(f"lock: {message}", file=sys.stderr, flush=True)


def _config(args):
    from lock.targets import find_root, load_config

    from lock import layers

    start = Path(args.project) if getattr(args, "project", None) else Path.cwd()
    if not start.is_dir():
        raise InputError(f"--project {args.project}: not a directory")
    config = load_config(find_root(start))
    if getattr(args, "base_lock", None):
        config = dataclasses.replace(config, base=Path(args.base_lock).resolve())
    if getattr(args, "base_image", None):
        config = layers.fetch_base(config, args.base_image)
    return layers.select(config, getattr(args, "layer", None))


@contextlib.contextmanager
def _project_locked(args, config):
    """Hold the project lock for a run that may write; clear what killed runs left behind."""
    from lock import engine, project_lock

    with project_lock.held(config.output, lambda message: _say(args, message)):
        engine.remove_stale_staged(config.requirements.resolve().parent)
        yield


def _cutoff_arg(args) -> str | None:
    from lock.cutoff import parse_timestamp

    return parse_timestamp(args.exclude_newer) if getattr(args, "exclude_newer", None) else None


def _relock(args, config, python, inputs, cutoffs, existing, requirements_text=None) -> int:
    from lock import atomic, diff, engine

    # The backend the lock was made with, unless told otherwise: `lock` alone reproduces the lock.
    recorded = existing.parsed.settings.backend if existing.parsed else None
    backend = getattr(args, "backend", None) or (recorded if recorded in engine.BACKENDS else "uv")
    engine.backend_module(backend).prepare(python, config.platforms, cutoffs)  # refuse before resolving
    from lock import url_files

    url_files.verify(inputs, python, config.platforms)  # wheel, tags and sha256 of URL requirements
    if not config.output.parent.is_dir():
        raise InputError(
            f"cannot write {config.rel(config.output)}: its directory {config.rel(config.output.parent)} does not exist"
        )
    where = ", ".join(p.name for p in config.platforms)
    _say(
        args,
        f"resolving {config.rel(config.requirements)} with {backend} for Python {python} on {where} ({cutoffs.describe()})",
    )
    text, entries = engine.build(config, python, inputs, backend, cutoffs, requirements_text=requirements_text)
    output = config.rel(config.output)
    changes = diff.compare(existing.entries, entries)
    files = []
    if text != existing.text:
        files.append((config.output, text))
    if requirements_text is not None:
        files.append((config.requirements, requirements_text))
    view = _index_view(config, entries, cutoffs, text, existing)
    if view:
        files.append((index_view.path_for(config.output), view))
    files += _pylock(config, python, entries, text, existing)
    if files:
        try:
            atomic.write_many(files)
        except OSError as e:  # read-only, no space, no permission, immutable: nothing was replaced
            failed = config.rel(Path(e.filename)) if e.filename else output
            raise errors.FileSystemError(f"cannot write {failed}: {e.strerror or e}") from None
    if view == "":  # the index gave no view: a view of the previous lock would mislead
        index_view.path_for(config.output).unlink(missing_ok=True)
    summary = f"{len(entries)} packages for Python {python} on {where} ({backend}, {cutoffs.describe()})"
    if text == existing.text:
        print(f"lock: {output} is up to date: {summary}")
    else:
        print(f"lock: wrote {output}: {summary}")
    old_cut = existing.parsed.settings.cutoffs if existing.parsed else None
    if old_cut and old_cut != cutoffs:
        print(f"  cut-off     {old_cut.describe()} -> {cutoffs.describe()}")
    if changes:
        sys.stdout.write(diff.render_text(changes))
    elif text != existing.text:
        print("  (no package changes)")
    return errors.EXIT_OK


def _index_view(config, entries, cutoffs, text: str, existing) -> str | None:
    """The index view to write beside the lock: its text, "" when the index gives none (the old one
    goes), None when the one on disk already belongs to this lock."""
    from lock import check, header, index
    from lock.errors import ResolverError

    body_sha256 = header.parse(text).body_sha256
    if text == existing.text:
        try:
            if check.read_view(config, body_sha256) is not None:
                return None
        except index_view.ViewError:
            pass
    try:
        pages = index.many(e.name for e in entries)
    except ResolverError as e:
        print(f"lock: warning: no index view recorded ({e}); `lock check --resolve` will not be able to tell "
              "an index that changed from a lock that is wrong", file=sys.stderr)
        return ""
    for name, count in index_view.without_upload_time(pages).items():
        print(f"lock: warning: the index lists {count} file(s) of {name} without an upload-time; uv treats "
              "them as unavailable under a cut-off", file=sys.stderr)
    return index_view.render(index_view.compute(pages, cutoffs), config.rel(config.output), body_sha256)


def _pylock(config, python: str, entries, text: str, existing) -> list[tuple[Path, str]]:
    """pylock.toml to write beside the lock (when pyproject.toml asks for one and it is not in sync)."""
    from lock import header, pylock

    path = pylock.path_for(config)
    body_sha256 = header.parse(text).body_sha256
    if path is None or (text == existing.text and not pylock.problems(config, body_sha256, entries)):
        return []
    return [(path, pylock.render(config, python, entries, body_sha256))]


def _read_requirements_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise InputError(f"{path.name}: not found") from None
    except UnicodeDecodeError:
        raise InputError(f"{path.name}: not UTF-8 text") from None


# -- commands -----------------------------------------------------------------------------------


def cmd_lock(args) -> int:
    config = _config(args)
    with _project_locked(args, config):
        return _cmd_lock(args, config)


def _cmd_lock(args, config) -> int:
    from lock import engine
    from lock.cutoff import Cutoffs, now
    from lock.requirements_in import parse_tree

    python = config.python.version
    inputs = parse_tree(config.root, config.requirements)
    existing = engine.read_existing(config.output)
    explicit = _cutoff_arg(args)
    recorded = existing.parsed.settings.cutoffs if existing.parsed else None
    if explicit:
        cutoffs = recorded.with_global(explicit) if recorded else Cutoffs(explicit)
    else:
        cutoffs = recorded or Cutoffs(now(config.settle_hours))
    return _relock(args, config, python, inputs, cutoffs, existing)


def cmd_add(args) -> int:
    config = _config(args)
    with _project_locked(args, config):
        return _cmd_add(args, config)


def _cmd_add(args, config) -> int:
    from lock import engine
    from lock.cutoff import Cutoffs, now
    from lock.requirements_in import append_specs, parse_spec, parse_tree

    python = config.python.version
    inputs = parse_tree(config.root, config.requirements)
    required = {s.name: s for s in inputs.specs}
    new: dict[str, str] = {}
    for raw in args.specs:
        spec = parse_spec(raw, f"lock add {shorten(raw)}")
        if spec.name in required:
            raise InputError(
                f"lock add {shorten(raw)}: {spec.name} is already required ({required[spec.name].where}: {required[spec.name].text!r}); edit that line instead"
            )
        if spec.name in new:
            raise InputError(f"lock add {shorten(raw)}: {spec.name} is given twice")
        new[spec.name] = str(spec.requirement)
    original = _read_requirements_text(config.requirements)
    text = append_specs(original, list(new.values()))
    if "\r\n" in original:
        text = original + text[len(original) :].replace("\n", "\r\n")
    new_inputs = parse_tree(config.root, config.requirements, top_text=text)
    existing = engine.read_existing(config.output)
    stamp = _cutoff_arg(args) or now(config.settle_hours)
    base = existing.parsed.settings.cutoffs if existing.parsed else Cutoffs(stamp)
    cutoffs = base.with_packages(new, stamp)
    return _relock(args, config, python, new_inputs, cutoffs, existing, requirements_text=text)


def cmd_upgrade(args) -> int:
    config = _config(args)
    with _project_locked(args, config):
        return _cmd_upgrade(args, config)


def _cmd_upgrade(args, config) -> int:
    from packaging.utils import InvalidName, canonicalize_name

    from lock import engine
    from lock.cutoff import Cutoffs, now
    from lock.requirements_in import parse_tree

    python = config.python.version
    inputs = parse_tree(config.root, config.requirements)
    existing = engine.read_existing(config.output)
    stamp = _cutoff_arg(args) or now(config.settle_hours)
    if not args.packages:
        cutoffs = Cutoffs(stamp)
    else:
        if not existing.parsed:
            raise InputError(
                f"{config.rel(config.output)} has no lock header yet: run `lock` first, then `lock upgrade PKG`"
            )
        known = {e.name for e in existing.entries} | inputs.names()
        names = []
        for raw in args.packages:
            try:
                name = canonicalize_name(raw, validate=True)
            except InvalidName:
                raise InputError(f"lock upgrade {shorten(raw)}: not a package name") from None
            if name not in known:
                raise InputError(
                    f"lock upgrade {shorten(raw)}: {name} is not in {config.rel(config.output)} (to add it: lock add {raw})"
                )
            names.append(name)
        cutoffs = existing.parsed.settings.cutoffs.with_packages(names, stamp)
    return _relock(args, config, python, inputs, cutoffs, existing)


def cmd_check(args) -> int:
    from lock.check import check, check_resolve

    config = _config(args)
    report = check(config)
    output = config.rel(config.output)
    command = report.parsed.settings.command if report.parsed else (f"lock --layer {config.layer}" if config.layer else "lock")
    if report.problems:
        kinds = {p.kind for p in report.problems}
        if "missing" in kinds:
            head = f"{output} does not exist -- run `{command}` to create it"
        elif "edited" in kinds:
            head = (
                f"{output} was edited by hand -- run `{command}` to regenerate it "
                "(change requirements.in, or use `lock add` / `lock upgrade`, instead of the lock)"
            )
        else:
            head = f"{output} is out of date -- run `{command}` to update it"
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
    from lock import diff, header, lockfile

    if Path(args.old).is_dir() and Path(args.new).is_dir():
        return _diff_projects(args)

    def read(name: str):
        try:
            text = Path(name).read_bytes().decode("utf-8")
        except FileNotFoundError:
            raise InputError(f"{name}: not found") from None
        except IsADirectoryError:
            raise InputError(f"{name}: is a directory, not a lock") from None
        except UnicodeDecodeError:
            raise InputError(f"{name}: not a lock (not UTF-8 text)") from None
        try:
            parsed = header.parse(text)
        except header.HeaderError:
            parsed = None
        try:
            entries = lockfile.valid_entries(parsed.body if parsed else text, name, parsed.body_line if parsed else 1)
        except InputError as e:
            raise InputError(f"{name} is not a lock: {e}") from None
        return entries, parsed.settings.cutoffs.describe() if parsed else None

    old, old_cut = read(args.old)
    new, new_cut = read(args.new)
    changes = diff.compare(old, new)
    if args.format == "text":
        sys.stdout.write(diff.render_text(changes) or "  no package changes\n")
    else:
        title = args.title or os.path.basename(args.new)
        extra, note = _diff_details(args, changes, old, new) if args.details and changes else (None, None)
        sys.stdout.write(diff.render_markdown(changes, title, old_cut, new_cut, extra, note))
    return errors.EXIT_STALE if (args.exit_code and changes) else errors.EXIT_OK


def _diff_details(args, changes, old, new):
    """Size and licence columns for `lock diff --details`, for the NEW lock's first platform."""
    from lock import diff, diff_details, header
    from lock.targets import Platform

    try:
        settings = header.parse(Path(args.new).read_text(encoding="utf-8")).settings
    except header.HeaderError:
        raise InputError(f"{args.new}: --details needs a lock header (its platforms and Python)") from None
    cache = _cache_dir(Path(args.new))
    keyed = ({diff._key(e): e for e in old}, {diff._key(e): e for e in new})
    return diff_details.columns(changes, *keyed, Platform.parse(settings.platforms[0]), settings.python, cache)


def _cache_dir(near: Path) -> Path:
    """The project's .cache/wheel-info (the nearest pyproject.toml), else one beside the file."""
    from lock.targets import find_root

    try:
        return find_root(Path.cwd()) / ".cache" / "wheel-info"
    except InputError:
        return near.resolve().parent / ".cache" / "wheel-info"


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
    from lock import layers
    from lock.targets import load_config

    config = load_config(Path(args.new).resolve())
    code = errors.EXIT_OK
    for name in [None, *layers.names(config)]:
        rel = config.rel(layers.select(config, name).output)
        old = Path(args.old, rel)
        one = argparse.Namespace(**{**vars(args), "old": str(old) if old.is_file() else os.devnull,
                                    "new": str(Path(args.new, rel)), "title": rel})
        code = cmd_diff(one) or code
    return code


def _run(args) -> int:
    """One lock (--layer NAME, or a project without layers), else the project's lock, then each
    layer: `lock` and `check` go through all; after `add` or `upgrade PKG` of the base, its layers
    are relocked with their own cut-offs (they follow the base); `upgrade` moves every cut-off."""
    if args.func not in (cmd_lock, cmd_add, cmd_upgrade, cmd_check) or getattr(args, "layer", None):
        return args.func(args)
    from lock import layers

    names = layers.names(_config(args))
    code = args.func(args)
    for name in names:
        one = argparse.Namespace(**{**vars(args), "layer": name, "base_lock": None, "base_image": None})
        if args.func is cmd_add or (args.func is cmd_upgrade and args.packages):
            one.func, one.exclude_newer = cmd_lock, None
        result = one.func(one)  # every layer, even after a failed check: each says what is wrong
        code = code or result
    return code


def main(argv: list[str] | None = None) -> int:
    """Run one command. The one place that turns every failure into its exit code and one line."""
    from lock.interrupt import Terminated, signals_raise

    parser = build_parser()
    try:
        with signals_raise():
            args = parser.parse_args(argv)
            return _run(args)
    except _UsageError as e:
        error: LockError = InputError(str(e))
    except LockError as e:
        error = e
    except OSError as e:
        error = _os_error(e)
    except RecursionError:  # e.g. a marker nested thousands deep
        error = InputError("input nested too deeply to parse")
    except KeyboardInterrupt:
        print("lock: interrupted; no file was changed", file=sys.stderr)
        return errors.EXIT_INTERRUPTED
    except Terminated as e:
        print(f"lock: stopped by {e}; no file was changed", file=sys.stderr)
        return 128 + e.signum
    print(f"lock: error: {error}", file=sys.stderr)
    return error.exit_code
