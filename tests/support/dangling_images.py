"""Images a test session left without a tag. A run rebuilds the same tags (the image under test,
the naive image, verify-rebuild's pair, the arm64 pair): each rebuild that gives a new ID leaves the
old image behind, untagged, at 500-800 MB each. The session removes the images that lost their tag
while it ran, and only those: untagged images that were there before it are someone else's."""

from __future__ import annotations

import subprocess


def dangling() -> frozenset[str] | None:
    """IDs of the engine's untagged images, or None when no engine answers (the fast lane)."""
    try:
        listed = subprocess.run(["docker", "images", "--quiet", "--no-trunc", "--filter", "dangling=true"],
                                capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return frozenset(listed.stdout.split()) if listed.returncode == 0 else None


def remove_new(before: frozenset[str] | None) -> list[str]:
    """Remove the images that became untagged since `before`; return those removed. One still used
    by a container stays (docker refuses, and that is right)."""
    now = dangling()
    if before is None or now is None:
        return []
    removed = []
    for image_id in sorted(now - before):
        if subprocess.run(["docker", "rmi", image_id], capture_output=True, timeout=120).returncode == 0:
            removed.append(image_id)
    return removed
