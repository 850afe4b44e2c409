"""User-facing failures and the exit codes they map to.

Every failure a user can cause (bad input, a package that cannot be resolved, no network) is a
LockError: the CLI prints it as one `lock: error: ...` line and exits with its code, never with a
traceback.
"""

EXIT_OK = 0
EXIT_STALE = 1  # `lock check`: the lock is out of date or was edited by hand; `lock diff --exit-code`: pins differ
EXIT_INPUT = 2  # usage or input error: bad arguments, bad requirements.in / pyproject.toml / Dockerfile, missing file
EXIT_RESOLUTION = 3  # the resolver ran and said no: unknown package, conflict, no wheel for a target platform
EXIT_RESOLVER = 4  # the resolver could not run: index unreachable (no network, proxy), resolver missing or crashed
EXIT_INDEX_CHANGED = 5  # `lock check --resolve`: the index changed under the cut-off; the lock is still valid
EXIT_NOT_REPRODUCIBLE = 6  # `lock check --resolve`: the same index view re-resolves to other bytes (a bug)
EXIT_INTERRUPTED = 130


class LockError(Exception):
    """A failure the user can act on. str() is the one-line message."""

    exit_code = EXIT_INPUT

    def __init__(self, message: str):
        # One line, whatever the source (resolver output is multi-line).
        super().__init__(" ".join(message.split()))


class InputError(LockError):
    exit_code = EXIT_INPUT


class ResolutionError(LockError):
    exit_code = EXIT_RESOLUTION


class ResolverError(LockError):
    exit_code = EXIT_RESOLVER
