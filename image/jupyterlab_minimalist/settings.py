"""Check the container's settings before the server starts: a bad one gets one line on stderr and
exit code 2, instead of a traceback (or a server that cannot save) and a restart loop."""

import os
import re
import socket
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


def shown(value: str) -> str:
    """A value as an error line may quote it: one line, not too long."""
    value = value.encode("unicode_escape").decode("ascii")
    return value if len(value) <= 60 else value[:57] + "..."


def port_problem(value: str) -> str | None:
    # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
    if not re.fullmatch(r"[0-9]{1,5}", value) or not 1 <= int(value) <= 65535:
        return f"JUPYTER_PORT={shown(value)} is not a port number: use 1 to 65535"
    return None


# Printable ASCII without spaces: what fits in a URL, a header and a login form unchanged.
TOKEN = re.compile(r"[!-~]{1,1024}")


def token_problem(name: str, value: str) -> str | None:
    """Never quotes the token: it must not reach the logs."""
    if not TOKEN.fullmatch(value):
        return (f"{name} must be 1 to 1024 printable ASCII characters without spaces (this one has "
                f"{len(value)} characters): for example `openssl rand -hex 32`, or leave it unset for a random one")
    return None


def ip_problem(value: str) -> str | None:
    """An address the server can listen on in this container (a name must resolve to one)."""
    if not re.fullmatch(r"[0-9A-Za-z.:%_-]{1,253}", value):
        return f"JUPYTER_IP={shown(value)} is not an IP address or host name (leave it unset for all addresses)"
    try:
        for family, kind, proto, _, address in socket.getaddrinfo(value, 0, type=socket.SOCK_STREAM):
            with socket.socket(family, kind, proto) as probe:
                probe.bind(address)
    except OSError as error:
        return (f"JUPYTER_IP={shown(value)} is not an address of this container ({error.strerror or error}): "
                f"leave it unset for all addresses")
    return None


def base_url_problem(value: str) -> str | None:
    if not re.fullmatch(r"/[0-9A-Za-z._~/-]*", value):
        suggestion = shown("/" + re.sub(r"[^0-9A-Za-z._~/-]", "", value).strip("/") + "/")
        return (f"JUPYTER_BASE_URL={shown(value)} must start with '/' and hold only letters, digits and . _ ~ / - "
                f"(for example {suggestion})")
    return None


def tls_problem(certfile: str, keyfile: str) -> str | None:
    if keyfile and not certfile:
        return f"JUPYTER_KEYFILE={shown(keyfile)} is set but JUPYTER_CERTFILE is not: set both, or neither"
    for name, path in (("JUPYTER_CERTFILE", certfile), ("JUPYTER_KEYFILE", keyfile)):
        if path and not os.access(path, os.R_OK):
            reason = "does not exist" if not os.path.exists(path) else "is not readable by this user"
            return f"{name}={shown(path)} {reason}: mount the folder that holds it (see README, HTTPS)"
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(certfile, keyfile or None)
    except (ssl.SSLError, OSError) as error:
        return (f"JUPYTER_CERTFILE={shown(certfile)} and JUPYTER_KEYFILE={shown(keyfile or certfile)} are not a PEM "
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


# Read by this image (or by jupyter_server for it); empty means unset, as compose passes an unset one.
VARIABLES = ("JUPYTER_PORT", "JUPYTER_IP", "JUPYTER_BASE_URL", "JUPYTER_TOKEN", "JUPYTER_CERTFILE",
             "JUPYTER_KEYFILE")


def normalize(environ=os.environ) -> list[str]:
    """Drop what means "unset"; return the warning lines."""
    warnings = []
    for name in VARIABLES:
        if name in environ and not environ[name]:
            del environ[name]
    # "::" means every address; jupyter_server would listen on IPv6 only (and the IPv4 port be dead).
    if environ.get("JUPYTER_IP") in ("::", "*"):
        environ["JUPYTER_IP"] = ""
    return warnings


def problems(environ=os.environ) -> list[str]:
    found = []
    if "JUPYTER_PORT" in environ:
        found.append(port_problem(environ["JUPYTER_PORT"]))
    if environ.get("JUPYTER_IP"):
        found.append(ip_problem(environ["JUPYTER_IP"]))
    if "JUPYTER_BASE_URL" in environ:
        found.append(base_url_problem(environ["JUPYTER_BASE_URL"]))
    if "JUPYTER_TOKEN" in environ:
        found.append(token_problem("JUPYTER_TOKEN", environ["JUPYTER_TOKEN"]))
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
    """Normalize the settings (warning lines), or exit with one line naming the first bad one."""
    for warning in normalize():
        print(warning, file=sys.stderr, flush=True)
    found = problems()
    if found:
        print(f"error: {found[0]}", file=sys.stderr, flush=True)
        sys.exit(EXIT_BAD_SETTING)
