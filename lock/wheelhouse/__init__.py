"""Fetch every locked wheel the image can install into a wheelhouse, for an offline build.

    wheelhouse [--project DIR] [--dest DIR] [--lock FILE ...] [--prune] [-q]

For each pin of requirements.lock and image/build-tools.txt, ask the index's PEP 691 JSON simple API
for the files of the pinned version and keep the wheels that (1) have a sha256 the lock lists and
(2) install on one of the target platforms (pyproject.toml `[tool.lock] platforms`) with the image's
Python (read from the Dockerfile's base image): cpXY / abi3 / py3-none-any, manylinux up to the
target's glibc. Each is downloaded once, its sha256 checked before it is renamed into place; a file
already there with the right hash is not fetched again, so the wheelhouse is its own cache. After a
complete run, .wheelhouse.json records what the locks asked for; while the locks, the Python and the
platforms are unchanged and every file is there with its hash, a rerun asks the index nothing at all.

A pinned package with no such wheel for a target platform is an error naming the package and the
platform: the offline build would fail on that platform otherwise.

Then: docker buildx build --network=none --build-context wheelhouse=wheelhouse ...
(scripts/wheelhouse and scripts/build do both). Exit codes as for `lock`: 2 bad input, 3 no wheel for
a platform, 4 the index could not be reached or sent a file with another hash.

Its parts: fetch (which files, and downloading them), manifest
(`.wheelhouse.json`), cli (the command line: `wheelhouse`, `python -m lock.wheelhouse`). The locks
are read with lock.lockfile, the one parser of the format; the index's pages with lock.index, the one
PEP 691 client (its FILES_INDEX: uv's index variables, then PIP_INDEX_URL); which wheels install
where is lock.wheel_tags.
"""
