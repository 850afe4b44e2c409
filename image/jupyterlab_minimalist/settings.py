"""Check the container's settings before the server starts: a bad one gets one line on stderr and
exit code 2, instead of a traceback (or a server that cannot save) and a restart loop."""

import os
import ssl
import sys

HOME = "/home/jovyan"
VOLUMES = ("notebooks", "data")
EXIT_BAD_SETTING = 2


def mount_points() -> set[str]:
    """Where something is mounted in this container (the 5th field of /proc/self/mountinfo)."""
    try:
        with open("/proc/self/mountinfo") as f:
            return {line.split()[4].replace("\\040", " ") for line in f}
    except OSError:
        return set()


def port_problem(value: str) -> str | None:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        return f"JUPYTER_PORT={value} is not a port number: use 1 to 65535"
    return None


def tls_problem(certfile: str, keyfile: str) -> str | None:
    if keyfile and not certfile:
        return f"JUPYTER_KEYFILE={keyfile} is set but JUPYTER_CERTFILE is not: set both, or neither"
    for name, path in (("JUPYTER_CERTFILE", certfile), ("JUPYTER_KEYFILE", keyfile)):
        if path and not os.access(path, os.R_OK):
            reason = "does not exist" if not os.path.exists(path) else "is not readable by this user"
            return f"{name}={path} {reason}: mount the folder that holds it (see README, HTTPS)"
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(certfile, keyfile or None)
    except (ssl.SSLError, OSError) as error:
        return (f"JUPYTER_CERTFILE={certfile} and JUPYTER_KEYFILE={keyfile or certfile} are not a PEM "
                f"certificate and its matching private key ({error})")
    return None


def volume_problem(path: str) -> str | None:
    if os.access(path, os.W_OK | os.X_OK):
        return None
    if os.statvfs(path).f_flag & os.ST_RDONLY:
        return f"{path} is mounted read-only: mount it read-write to save there"
    owner = os.stat(path)
    return (f"{path} belongs to UID {owner.st_uid} (GID {owner.st_gid}) and this container runs as UID "
            f"{os.getuid()} (GID {os.getgid()}), which cannot write it: set NB_UID={owner.st_uid} and "
            f"NB_GID={owner.st_gid} in .env and run scripts/start again, or give the folder to "
            f"UID {os.getuid()} on the host")


def problems(environ=os.environ) -> list[str]:
    found = []
    if environ.get("JUPYTER_PORT"):
        found.append(port_problem(environ["JUPYTER_PORT"]))
    base_url = environ.get("JUPYTER_BASE_URL")
    if base_url and not base_url.startswith("/"):
        found.append(f"JUPYTER_BASE_URL={base_url} must start with '/' (for example /{base_url.strip('/')}/)")
    if environ.get("JUPYTER_CERTFILE") or environ.get("JUPYTER_KEYFILE"):
        found.append(tls_problem(environ.get("JUPYTER_CERTFILE", ""), environ.get("JUPYTER_KEYFILE", "")))
    # Only mounted volumes: the image's own empty folders are for a quick `docker run`.
    mounted = mount_points()
    for volume in VOLUMES:
        path = os.path.join(HOME, volume)
        if path in mounted:
            found.append(volume_problem(path))
    return [problem for problem in found if problem]


def check() -> None:
    """Exit with one line naming the first bad setting."""
    found = problems()
    if found:
        print(f"error: {found[0]}", file=sys.stderr, flush=True)
        sys.exit(EXIT_BAD_SETTING)
