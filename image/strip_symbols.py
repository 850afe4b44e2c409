"""Builder step: drop the debug sections and the static symbol table from the venv's shared
libraries, as `strip --strip-unneeded` does for Debian's packages: 41 MB of .debug_*, .symtab and
.strtab that nothing reads at run time (the dynamic linker uses .dynsym; Python's debugger,
debugpy, debugs Python code, not C frames).

    strip_symbols.py DIR...    strip every ELF shared library or executable under DIR, in place

binutils is not in the base image (apt would break the offline, bit-for-bit build); pyelftools, a
pure-Python ELF reader, comes hash-checked with the build tools (image/build-tools.txt). It reads
and writes the headers; only non-loaded bytes are dropped, so the loaded image of each library is
byte for byte what it was: the file keeps everything up to the end of its last loaded byte, then the
kept non-loaded sections (.comment, .shstrtab, ...), then a new section header table. A file whose
layout does not allow that (a dropped section before a loaded byte, or between loaded sections in
the header table, or one a kept section refers to) is left exactly as it was.
"""

import io
import os
import pathlib
import sys
import tempfile

from elftools.elf.elffile import ELFFile

SHF_ALLOC = 0x2
SHF_INFO_LINK = 0x40
# Sections whose sh_info is a section index (for the others it is a count or a symbol index).
INFO_IS_INDEX = {"SHT_REL", "SHT_RELA"}


def dropped(name: str, flags: int) -> bool:
    return not flags & SHF_ALLOC and (name.startswith((".debug_", ".zdebug_")) or name in (".symtab", ".strtab"))


def stripped(data: bytes) -> bytes | None:
    """The stripped bytes of one ELF file, or None to leave it as it is."""
    elf = ELFFile(io.BytesIO(data))
    header = elf.header
    if header.e_type not in ("ET_DYN", "ET_EXEC") or header.e_shnum == 0 or header.e_shstrndx >= header.e_shnum:
        return None  # object files, and the extended numbering no wheel uses
    sections = [(section.name, section.header) for section in elf.iter_sections()]
    drop = {i for i, (name, h) in enumerate(sections) if i and dropped(name, h.sh_flags)}
    loaded = [i for i, (_, h) in enumerate(sections) if h.sh_flags & SHF_ALLOC]
    if not drop or header.e_shstrndx in drop or (loaded and min(drop) < max(loaded)):
        return None  # keeping every loaded section's index keeps .dynsym's section numbers valid
    end = max([header.e_ehsize, header.e_phoff + header.e_phnum * header.e_phentsize]
              + [s.header.p_offset + s.header.p_filesz for s in elf.iter_segments()]
              + [sections[i][1].sh_offset + sections[i][1].sh_size for i in loaded
                 if sections[i][1].sh_type != "SHT_NOBITS"])
    if any(sections[i][1].sh_offset < end and sections[i][1].sh_size for i in drop):
        return None
    kept = [i for i in range(len(sections)) if i not in drop]
    new_index = {old: new for new, old in enumerate(kept)}

    def relinked(value: int) -> int:
        if value in drop:
            raise LookupError  # a kept section refers to a dropped one
        return new_index[value]

    out = bytearray(data[:end])
    headers = []
    try:
        for old in kept:
            h = sections[old][1].copy()
            if h.sh_link:
                h.sh_link = relinked(h.sh_link)
            if h.sh_info and (h.sh_type in INFO_IS_INDEX or h.sh_flags & SHF_INFO_LINK):
                h.sh_info = relinked(h.sh_info)
            if old and not h.sh_flags & SHF_ALLOC and h.sh_type != "SHT_NOBITS":
                out += b"\0" * (-len(out) % max(h.sh_addralign, 1))
                out += data[h.sh_offset:h.sh_offset + h.sh_size]
                h.sh_offset = len(out) - h.sh_size
            headers.append(elf.structs.Elf_Shdr.build(h))
    except LookupError:
        return None
    out += b"\0" * (-len(out) % 8)
    new_header = header.copy()
    new_header.e_shoff, new_header.e_shnum = len(out), len(kept)
    new_header.e_shstrndx = new_index[header.e_shstrndx]
    out[:header.e_ehsize] = elf.structs.Elf_Ehdr.build(new_header)
    out += b"".join(headers)
    return bytes(out)


def strip_file(path: pathlib.Path) -> int:
    """Strip one file in place (a temporary file, renamed over it); the bytes saved."""
    with open(path, "rb") as f:
        if f.read(4) != b"\x7fELF":
            return 0
        data = b"\x7fELF" + f.read()
    new = stripped(data)
    if new is None:
        return 0
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as f:
        f.write(new)
    os.chmod(temporary, path.stat().st_mode & 0o7777)
    os.replace(temporary, path)
    return len(data) - len(new)


def main(directories: list[str]) -> None:
    saved = files = 0
    for top in directories:
        for path in sorted(pathlib.Path(top).rglob("*")):
            if path.is_file() and not path.is_symlink() and (".so" in path.suffixes or os.access(path, os.X_OK)):
                gain = strip_file(path)
                saved, files = saved + gain, files + bool(gain)
    print(f"strip_symbols: {saved / 1e6:.1f} MB dropped from {files} files")


if __name__ == "__main__":
    main(sys.argv[1:])
