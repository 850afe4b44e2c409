"""Bit for bit: scripts/verify-rebuild builds the commit twice from scratch and finds them identical."""

from datetime import datetime, timezone

import pytest

from tests.support.repro_helpers import TAG, docker_inspect

pytestmark = pytest.mark.image


def test_two_no_cache_builds_of_the_commit_are_identical(rebuild, commit):
    # On failure the message carries verify-rebuild's report: the files and settings that differ.
    assert rebuild.returncode == 0 and rebuild.identical_id, (
        f"scripts/verify-rebuild exit {rebuild.returncode}; what differs:\n{rebuild.output}\n"
        f"--- stderr (end) ---\n{rebuild.errors[-3000:]}"
    )
    assert f"commit: {commit.sha} (SOURCE_DATE_EPOCH={commit.epoch})" in rebuild.output
    # Not one build reported twice: both tags exist, with that ID and the same layers.
    first, second = f"{TAG}-1", f"{TAG}-2"
    assert docker_inspect(first, "{{.Id}}") == docker_inspect(second, "{{.Id}}") == rebuild.identical_id
    assert docker_inspect(first, "{{json .RootFS.Layers}}") == docker_inspect(second, "{{json .RootFS.Layers}}")
    assert rebuild.output.count("build 1: ") == rebuild.output.count("build 2: ") == 1
    print(f"verify-rebuild ({rebuild.seconds:.0f} s):\n{rebuild.output}")


def test_image_created_time_is_the_commit_time(rebuild, commit, reference_id):
    created = docker_inspect(reference_id, "{{.Created}}")
    when = datetime.fromisoformat(created.replace("Z", "+00:00"))
    assert when == datetime.fromtimestamp(commit.epoch, timezone.utc), (
        f"image created {created}, commit time {commit.epoch}: SOURCE_DATE_EPOCH was not applied"
    )


def test_labels_name_the_commit_not_the_clock(rebuild, commit, reference_id):
    labels = docker_inspect(reference_id, "{{json .Config.Labels}}")
    assert f'"org.opencontainers.image.revision":"{commit.sha}"' in labels, labels
    created = datetime.fromtimestamp(commit.epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert f'"org.opencontainers.image.created":"{created}"' in labels, labels
