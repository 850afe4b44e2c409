"""The lock's pins: {canonical name: version} of requirements.lock (every platform: it has no markers)."""

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support.paths import PROJECT_ROOT


def lock_pins() -> dict[str, str]:
    pins = {}
    text = (PROJECT_ROOT / "requirements.lock").read_text().replace("\\\n", " ")
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            requirement = Requirement(line.split(" --hash")[0])
            pins[canonicalize_name(requirement.name)] = str(requirement.specifier).removeprefix("==")
    return pins
