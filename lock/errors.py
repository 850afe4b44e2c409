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
EXIT_FILESYSTEM = 7  # a file could not be read or written: read-only, no space, permission (names the path)
EXIT_INTERRUPTED = 130  # Ctrl-C; SIGTERM / SIGHUP exit 128 + the signal number, also with no file changed

# `lock check` over several locks (the project's and each layer's) reports every lock's finding and
# exits with the most severe, first in this order: a lock to fix now (1), then a bug (6), then an
# index that moved under a still valid lock (5).
CHECK_SEVERITY = (EXIT_STALE, EXIT_NOT_REPRODUCIBLE, EXIT_INDEX_CHANGED, EXIT_OK)


def most_severe(a: int, b: int) -> int:
    """The exit code of two `check` findings that says more (CHECK_SEVERITY; others as they come)."""
    rank = {code: n for n, code in enumerate(CHECK_SEVERITY)}
    return min(a, b, key=lambda c: rank.get(c, -1))


MAX_MESSAGE = 1000  # characters: a 100,000-character requirement must not print 100 KB


def shorten(text: str, limit: int = 200) -> str:
    """Quote a user's text for a message, cut to `limit` characters."""
    shown = repr(text)
    return shown if len(shown) <= limit else f"{shown[: limit - 5]}...{shown[0]} ({len(text)} characters)"


class LockError(Exception):
    """A failure the user can act on. str() is the one-line message."""

    exit_code = EXIT_INPUT

    def __init__(self, message: str):
        # One line, whatever the source (resolver output is multi-line).
        message = " ".join(message.split())
        if len(message) > MAX_MESSAGE:
            message = message[: MAX_MESSAGE - 3] + "..."
        super().__init__(message)


class InputError(LockError):
    exit_code = EXIT_INPUT


class ResolutionError(LockError):
    exit_code = EXIT_RESOLUTION


class ResolverError(LockError):
    exit_code = EXIT_RESOLVER


class FileSystemError(LockError):
    exit_code = EXIT_FILESYSTEM
