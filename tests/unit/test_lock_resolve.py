"""Merging per-platform resolutions into one lock."""

from __future__ import annotations

import pytest

from lock.resolve import _entries_from_output, merge, staged_requirements
from lock.errors import ResolutionError, ResolverError
from lock.lockfile import Entry
from lock.config import Platform

X86, ARM = Platform.parse("x86_64-manylinux_2_28"), Platform.parse("aarch64-manylinux_2_28")
X86_MUSL = Platform.parse("x86_64-unknown-linux-musl")
H1, H2, H3 = ("sha256:" + c * 64 for c in "abc")


def pins(*entries: Entry) -> dict[str, Entry]:
    return {e.name: e for e in entries}


def test_same_pins_merge_with_union_of_hashes_and_annotations():
    merged = merge(
        [
            (X86, pins(Entry("numpy", "2.3.1", hashes=(H1, H2), via=("-r requirements.in",)))),
            (ARM, pins(Entry("numpy", "2.3.1", hashes=(H1, H3), via=("-r requirements.in", "pandas")))),
        ]
    )
    assert merged == [Entry("numpy", "2.3.1", hashes=(H1, H2, H3), via=("-r requirements.in", "pandas"))]


def test_package_needed_on_one_platform_gets_a_machine_marker():
    merged = merge(
        [
            (X86, pins(Entry("six", "1.0", hashes=(H1,)), Entry("tbb", "2023.2.0", hashes=(H2,)))),
            (ARM, pins(Entry("six", "1.0", hashes=(H1,)))),
        ]
    )
    assert [(e.name, e.marker) for e in merged] == [("six", None), ("tbb", 'platform_machine == "x86_64"')]


def test_different_versions_per_platform_is_an_error_naming_package_and_platforms():
    with pytest.raises(ResolutionError) as e:
        merge(
            [
                (X86, pins(Entry("numpy", "2.3.1", hashes=(H1,)), Entry("six", "1.0", hashes=(H1,)))),
                (ARM, pins(Entry("numpy", "2.2.6", hashes=(H2,)), Entry("six", "1.0", hashes=(H1,)))),
            ]
        )
    assert str(e.value) == (
        "the target platforms resolve to different versions of numpy (2.3.1 on x86_64-manylinux_2_28, "
        "2.2.6 on aarch64-manylinux_2_28; pin one, e.g. numpy==2.2.6) -- usually a newer version lacks a "
        "wheel for one platform; pin it in requirements.in"
    )


def test_platforms_a_marker_cannot_tell_apart():
    with pytest.raises(ResolutionError, match="needed on some platforms only"):
        merge([(X86, pins(Entry("a", "1", hashes=(H1,)))), (X86_MUSL, pins())])


def test_resolver_output_is_validated_and_staged_names_mapped_back():
    output = f"six==1.0 \\\n    --hash={H1}\n    # via\n    #   -r .requirements.in.staged-x.in\n    #   -c c.txt\n"
    entries = _entries_from_output(output, "uv", X86, {".requirements.in.staged-x.in": "requirements.in"})
    assert entries["six"].via == ("-c c.txt", "-r requirements.in")
    with pytest.raises(ResolverError, match="unexpected uv output: .*'six==1.0' has no --hash"):
        _entries_from_output("six==1.0\n", "uv", X86, {})


def test_staged_requirements_is_a_sibling_and_goes_away(tmp_path):
    real = tmp_path / "requirements.in"
    real.write_text("six\n")
    with staged_requirements(real, "six\nattrs\n") as staged:
        assert staged.parent == tmp_path and staged != real
        assert staged.read_text() == "six\nattrs\n"
    assert not staged.exists()
    with staged_requirements(real, None) as same:
        assert same == real
