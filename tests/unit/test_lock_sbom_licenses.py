"""Licences for the SBOM from a wheel's core metadata, and the image labels: pure functions."""

from __future__ import annotations

import email.parser

from lock.labels import labels
from lock.sbom import licenses_of


def meta(text: str):
    return email.parser.Parser().parsestr(text, headersonly=True)


def shown(licenses) -> list[str]:
    out = []
    for item in licenses:
        out.append(str(getattr(item, "value", None) or item.id or item.name))
    return out


def test_license_expression_wins():
    m = meta("Name: x\nLicense-Expression: MIT OR Apache-2.0\nLicense: something else\n")
    assert shown(licenses_of(m)) == ["MIT OR Apache-2.0"]


def test_short_license_field_is_an_spdx_id_when_it_is_one():
    assert shown(licenses_of(meta("Name: x\nLicense: BSD-3-Clause\n"))) == ["BSD-3-Clause"]


def test_full_text_license_falls_back_to_the_classifiers():
    text = "Name: x\nLicense: Copyright (c) 2005\n        Permission is hereby granted ...\n" \
           "Classifier: License :: OSI Approved :: BSD License\nClassifier: Programming Language :: Python\n"
    assert shown(licenses_of(meta(text))) == ["BSD License"]


def test_no_metadata_no_licence():
    assert licenses_of(None) == [] and licenses_of(meta("Name: x\nLicense: UNKNOWN\n")) == []


def test_labels_are_a_function_of_the_commit():
    project = {"name": "demo", "version": "1.0", "description": "a  demo\n image", "license": "MIT",
               "urls": {"Source": "https://example.org/demo"}}
    pinned = "python:3.13-slim@sha256:" + "b" * 64
    got = labels(project, b"pins\n", "a" * 40, 1764000000, "sha256:" + "c" * 64, pinned)
    assert got == labels(project, b"pins\n", "a" * 40, 1764000000, "sha256:" + "c" * 64, pinned)
    assert got["org.opencontainers.image.created"] == "2025-11-24T16:00:00Z"
    assert got["org.opencontainers.image.revision"] == "a" * 40
    assert got["org.opencontainers.image.source"] == "https://example.org/demo"
    assert got["org.opencontainers.image.base.name"] == "python:3.13-slim"
    assert got["org.opencontainers.image.base.digest"] == "sha256:" + "b" * 64
    assert got["org.jupyterlab-minimalist.base.id"] == "sha256:" + "c" * 64
    assert got["org.jupyterlab-minimalist.lock.sha256"] == (
        "sha256:d68dc7755cc6a763a00021ec9b27fde5f4fe6e391e9ca06860042b26fa78ddb4")
    # Without a source URL or a pinned base there is no empty label.
    bare = labels({"name": "demo"}, b"", "c", 0, "sha256:" + "c" * 64, None)
    assert not {"org.opencontainers.image.source", "org.opencontainers.image.base.digest"} & set(bare)
