"""docs/remote-access.md's self-signed certificate recipe, run as written (its lines, in a shell, in
an empty folder): it leaves certs/cert.pem and certs/key.pem that belong together, name this host,
and can be read by the container's user (the image runs as another UID than the host's)."""

from __future__ import annotations

import re
import socket
import stat
import subprocess

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_private_key

from tests.support.paths import PROJECT_ROOT

DOC = (PROJECT_ROOT / "docs" / "remote-access.md").read_text()


def recipe() -> str:
    """The indented block that starts with `mkdir -p certs`, continuation lines joined as a shell would."""
    block = re.search(r"^( +)mkdir -p certs.*?(?=\n\n)", DOC, re.M | re.S)
    assert block, "docs/remote-access.md has no `mkdir -p certs && openssl ...` block"
    return "\n".join(line.strip() for line in block.group(0).splitlines())


def test_certificate_recipe_makes_a_pair_for_this_host(tmp_path):
    result = subprocess.run(["bash", "-c", recipe()], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    cert_path, key_path = tmp_path / "certs" / "cert.pem", tmp_path / "certs" / "key.pem"
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = load_pem_private_key(key_path.read_bytes(), password=None)
    public = lambda k: k.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)  # noqa: E731
    assert public(cert.public_key()) == public(key.public_key()), "the key is not the certificate's"
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    hostname = subprocess.run(["hostname"], capture_output=True, text=True, check=True).stdout.strip()
    assert hostname in names.get_values_for_type(x509.DNSName), (hostname, socket.gethostname())
    for path in (cert_path, key_path):
        assert stat.S_IMODE(path.stat().st_mode) & 0o044 == 0o044, f"{path.name}: not readable by the container's user"
