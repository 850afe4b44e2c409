#!/usr/bin/env python3
"""Compare two local images file by file and say what makes them differ.

    python3 scripts/lib/compare_images.py IMAGE_A IMAGE_B [--max-lines N]

Exit 0 and print "identical: <image id>" when both have the same image ID. Otherwise `docker save`
both (streamed, nothing written to disk), walk every layer tar and print, layer by layer, the paths
whose content hash, size, mode, owner, mtime, link target or extended headers differ, the paths found
in one image only, entries that differ only in their order, and the differences of the image configs
(history, created, env, ...). Exit 1 when they differ, 2 when an image cannot be read.

Only the standard library and the docker CLI: it runs on any host that builds the image.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import subprocess
import sys
import tarfile
from dataclasses import dataclass, field
from datetime import datetime, timezone

_TYPES = {
    tarfile.REGTYPE: "file", tarfile.AREGTYPE: "file", tarfile.LNKTYPE: "hardlink", tarfile.SYMTYPE: "symlink",
    tarfile.CHRTYPE: "char device", tarfile.BLKTYPE: "block device", tarfile.DIRTYPE: "directory",
    tarfile.FIFOTYPE: "fifo", tarfile.CONTTYPE: "file",
}
# PAX keys that only repeat a header field compared on its own.
_PAX_SHADOWED = {"path", "linkpath", "size", "mtime", "uid", "gid", "uname", "gname"}
_CHUNK = 1 << 20


class ImageError(Exception):
    pass


@dataclass(frozen=True)
class Entry:
    kind: str
    size: int
    mode: int
    uid: int
    gid: int
    uname: str
    gname: str
    mtime: float
    linkname: str
    device: tuple[int, int]
    pax: tuple[tuple[str, str], ...]
    sha256: str | None  # regular files only
    pyc_header: bytes = b""  # the first 16 bytes of a .pyc: says how it was compiled


@dataclass
class Layer:
    entries: dict[str, Entry] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)


@dataclass
class SavedImage:
    ref: str
    config: dict
    layer_digests: list[str]  # blob names, in order
    layers: list[Layer]


class _Prefixed(io.RawIOBase):
    """A read-only stream: `head` (already read, to sniff the content) and then the rest of `tail`."""

    def __init__(self, head: bytes, tail):
        self.head, self.tail = head, tail

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self.head:
            if size is None or size < 0:
                data, self.head = self.head + self.tail.read(), b""
                return data
            data, self.head = self.head[:size], self.head[size:]
            if len(data) < size:
                data += self.tail.read(size - len(data))
            return data
        return self.tail.read(size)

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _is_tar(head: bytes) -> bool:
    return len(head) >= 512 and head[257:262] == b"ustar"


def _normalise(name: str) -> str:
    name = name.removeprefix("./").rstrip("/")
    return "/" + name if name else "/"


def index_layer(stream) -> Layer:
    layer = Layer()
    with tarfile.open(fileobj=stream, mode="r|") as tar:
        for member in tar:
            digest = None
            head = b""
            if member.isreg():
                h = hashlib.sha256()
                f = tar.extractfile(member)
                while chunk := f.read(_CHUNK):
                    if not head and member.name.endswith(".pyc"):
                        head = chunk[:16]
                    h.update(chunk)
                digest = h.hexdigest()
            name = _normalise(member.name)
            pax = tuple(sorted((k, v) for k, v in member.pax_headers.items() if k not in _PAX_SHADOWED))
            layer.entries[name] = Entry(
                kind=_TYPES.get(member.type, f"type {member.type!r}"), size=member.size if member.isreg() else 0,
                mode=member.mode, uid=member.uid, gid=member.gid, uname=member.uname or "", gname=member.gname or "",
                mtime=member.mtime, linkname=member.linkname or "", device=(member.devmajor, member.devminor),
                pax=pax, sha256=digest, pyc_header=head,
            )
            layer.order.append(name)
    return layer


def save_image(ref: str) -> SavedImage:
    """Stream `docker save REF` and index it: JSON documents kept, every tar blob indexed by name."""
    proc = subprocess.Popen(["docker", "save", ref], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    documents: dict[str, bytes] = {}
    tars: dict[str, Layer] = {}
    try:
        with tarfile.open(fileobj=proc.stdout, mode="r|") as outer:
            for member in outer:
                if not member.isreg():
                    continue
                f = outer.extractfile(member)
                head = f.read(512)
                if _is_tar(head):
                    tars[member.name] = index_layer(_Prefixed(head, f))
                elif head[:1] in (b"{", b"[") and member.size < 64 << 20:
                    documents[member.name] = head + f.read()
                elif not head.strip(b"\0"):
                    tars[member.name] = Layer()  # an empty layer: end-of-archive blocks only
    except tarfile.TarError as error:
        proc.kill()
        raise ImageError(f"{ref}: cannot read `docker save` output: {error}") from None
    finally:
        proc.stdout.close()
        stderr = proc.stderr.read().decode(errors="replace").strip()
        proc.wait()
    if proc.returncode != 0:
        raise ImageError(f"docker save {ref} failed: {stderr}")
    try:
        manifest = json.loads(documents["manifest.json"])[0]
        config = json.loads(documents[manifest["Config"]])
        layer_names = list(manifest["Layers"])
        layers = [tars[name] for name in layer_names]
    except (KeyError, IndexError, ValueError) as error:
        raise ImageError(f"{ref}: unexpected `docker save` layout ({error!r})") from None
    return SavedImage(ref, config, layer_names, layers)


def _when(t: float) -> str:
    shown = str(int(t)) if float(t).is_integer() else repr(t)
    try:
        return f"{shown} ({datetime.fromtimestamp(t, timezone.utc):%Y-%m-%dT%H:%M:%SZ})"
    except (OverflowError, OSError, ValueError):
        return shown


def _owner(e: Entry) -> str:
    names = f" ({e.uname}:{e.gname})" if e.uname or e.gname else ""
    return f"{e.uid}:{e.gid}{names}"


def _pyc_note(a: bytes, b: bytes) -> str | None:
    """How two .pyc headers (PEP 552) differ: a timestamp-based .pyc embeds its source's mtime and
    size at compile time -- clamping file times afterwards does not reach inside it."""
    if len(a) < 16 or len(b) < 16 or a[:4] != b[:4]:
        return None
    kinds = []
    for header in (a, b):
        flags = int.from_bytes(header[4:8], "little")
        kinds.append("timestamp" if flags == 0 else "checked-hash" if flags & 2 else "unchecked-hash")
    if kinds == ["timestamp", "timestamp"] and a[8:12] != b[8:12]:
        return (f"timestamp-based .pyc, embedded source mtime {int.from_bytes(a[8:12], 'little')}"
                f" != {int.from_bytes(b[8:12], 'little')}")
    if kinds[0] != kinds[1]:
        return f".pyc {kinds[0]} != {kinds[1]}"
    return f"{kinds[0]} .pyc" if kinds[0] != "timestamp" else "timestamp-based .pyc"


def entry_differences(a: Entry, b: Entry) -> list[str]:
    out = []
    if a.kind != b.kind:
        out.append(f"type {a.kind} != {b.kind}")
    if a.sha256 != b.sha256 and a.sha256 and b.sha256:
        out.append(f"content sha256 {a.sha256[:12]} != {b.sha256[:12]}")
        if note := _pyc_note(a.pyc_header, b.pyc_header):
            out.append(note)
    if a.size != b.size:
        out.append(f"size {a.size} != {b.size}")
    if a.mode != b.mode:
        out.append(f"mode {a.mode:04o} != {b.mode:04o}")
    if (a.uid, a.gid, a.uname, a.gname) != (b.uid, b.gid, b.uname, b.gname):
        out.append(f"owner {_owner(a)} != {_owner(b)}")
    if a.mtime != b.mtime:
        out.append(f"mtime {_when(a.mtime)} != {_when(b.mtime)}")
    if a.linkname != b.linkname:
        out.append(f"link target {a.linkname!r} != {b.linkname!r}")
    if a.device != b.device:
        out.append(f"device {a.device} != {b.device}")
    if a.pax != b.pax:
        out.append(f"extended headers {dict(a.pax)} != {dict(b.pax)}")
    return out


def layer_differences(a: Layer, b: Layer) -> list[str]:
    lines = []
    for path in sorted(a.entries.keys() | b.entries.keys()):
        ea, eb = a.entries.get(path), b.entries.get(path)
        if eb is None:
            lines.append(f"{path}: only in A ({ea.kind})")
        elif ea is None:
            lines.append(f"{path}: only in B ({eb.kind})")
        elif diffs := entry_differences(ea, eb):
            lines.append(f"{path}: {'; '.join(diffs)}")
    if not lines and a.order != b.order:
        at = next(i for i, (x, y) in enumerate(zip(a.order, b.order)) if x != y)
        lines.append(f"same entries in another order (from entry {at}: {a.order[at]} vs {b.order[at]})")
    return lines


def config_differences(a, b, path: str = "config") -> list[str]:
    if type(a) is not type(b):
        return [f"{path}: {json.dumps(a)} != {json.dumps(b)}"]
    if isinstance(a, dict):
        out = []
        for key in sorted(a.keys() | b.keys()):
            if key not in b:
                out.append(f"{path}.{key}: only in A: {json.dumps(a[key])}")
            elif key not in a:
                out.append(f"{path}.{key}: only in B: {json.dumps(b[key])}")
            else:
                out.extend(config_differences(a[key], b[key], f"{path}.{key}"))
        return out
    if isinstance(a, list):
        out = []
        for i in range(max(len(a), len(b))):
            if i >= len(b):
                out.append(f"{path}[{i}]: only in A: {json.dumps(a[i])}")
            elif i >= len(a):
                out.append(f"{path}[{i}]: only in B: {json.dumps(b[i])}")
            else:
                out.extend(config_differences(a[i], b[i], f"{path}[{i}]"))
        return out
    return [] if a == b else [f"{path}: {json.dumps(a)} != {json.dumps(b)}"]


def _short(blob: str) -> str:
    return blob.rsplit("/", 1)[-1].removesuffix(".tar").removesuffix("/layer")[:19]


def compare(a: SavedImage, b: SavedImage) -> list[str]:
    """Human-readable lines, one per difference, grouped by layer; empty when nothing differs."""
    report = []
    count = max(len(a.layers), len(b.layers))
    for i in range(count):
        if i >= len(a.layers):
            report.append(f"layer {i + 1}/{count}: only in B ({len(b.layers[i].entries)} entries)")
            continue
        if i >= len(b.layers):
            report.append(f"layer {i + 1}/{count}: only in A ({len(a.layers[i].entries)} entries)")
            continue
        if a.layer_digests[i] == b.layer_digests[i]:
            continue
        lines = layer_differences(a.layers[i], b.layers[i])
        report.append(f"layer {i + 1}/{count} ({_short(a.layer_digests[i])} != {_short(b.layer_digests[i])}):"
                      f" {sum(1 for line in lines if not line.startswith('same entries'))} paths differ")
        report.extend("  " + line for line in lines)
    if len(a.layers) != len(b.layers):
        report.insert(0, f"layer count {len(a.layers)} != {len(b.layers)} (layers compared by position)")
    config = config_differences(a.config, b.config)
    if config:
        report.append("image config:")
        report.extend("  " + line for line in config)
    return report


def image_id(ref: str) -> str:
    result = subprocess.run(["docker", "image", "inspect", "--format", "{{.Id}}", ref],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise ImageError(f"no image {ref}: {result.stderr.strip()}")
    return result.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Say which files and settings make two images differ.")
    parser.add_argument("image_a", metavar="IMAGE_A")
    parser.add_argument("image_b", metavar="IMAGE_B")
    parser.add_argument("--max-lines", type=int, default=400, help="print at most this many differences (default 400)")
    args = parser.parse_args(argv)
    try:
        id_a, id_b = image_id(args.image_a), image_id(args.image_b)
        if id_a == id_b:
            print(f"identical: {id_a}")
            return 0
        print(f"A: {args.image_a} {id_a}\nB: {args.image_b} {id_b}", flush=True)
        report = compare(save_image(args.image_a), save_image(args.image_b))
    except ImageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not report:
        # Same layers and config documents, yet another ID: the config JSON differs in bytes only.
        report = ["same layers and an equal config, but the config documents differ in their bytes"]
    for line in report[: args.max_lines]:
        print(line)
    if len(report) > args.max_lines:
        print(f"... and {len(report) - args.max_lines} more lines (--max-lines)")
    return 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # output piped into head
        sys.exit(1)
