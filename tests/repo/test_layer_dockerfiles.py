"""examples/extend/Dockerfile is image/layer.Dockerfile under its own header: what a team copies
into its repository is exactly what scripts/build-layer builds and the suite tests (but for the
name of the lock it installs by default)."""

from tests.support.paths import PROJECT_ROOT


def steps(path) -> list[str]:
    lines = (PROJECT_ROOT / path).read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    return [line for line in lines[start:] if not line.startswith("ARG LOCK=")]


def test_the_example_dockerfile_has_the_layer_dockerfiles_steps():
    assert steps("examples/extend/Dockerfile") == steps("image/layer.Dockerfile")
