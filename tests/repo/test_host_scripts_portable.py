"""The scripts a user types on their own machine run on macOS's stock bash 3.2 and BSD userland
(docs/architecture.md, "Host scripts"). No bash 3.2 can be had on the build machines, so this is a
static check of what 3.2 and BSD tools lack: bash 4 builtins and syntax, an array expanded bare
(an empty one is an "unbound variable" under `set -u` before bash 4.4), and GNU-only flags.
The Linux-only setup behind them (engine install, stand-in base) is checked too where sourced."""

from __future__ import annotations

import re

import pytest

from tests.support.paths import PROJECT_ROOT

HOST_SCRIPTS = ["scripts/start", "scripts/stop", "scripts/build", "scripts/build-layer", "scripts/lock", "scripts/hub",
                "scripts/lib/common.sh", "scripts/lib/engine.sh", "scripts/lib/base_image.sh",
                "scripts/lib/build.sh", "scripts/lib/tooling.sh"]

FORBIDDEN = {
    r"\b(mapfile|readarray|coproc)\b": "a bash 4 builtin",
    r"\b(declare|local|typeset) -[a-zA-Z]*[An]": "associative arrays / namerefs (bash 4)",
    r"\$\{\w+(,,|\^\^|,|\^)\}|\$\{\w+@[QEPAa]\}": "case or @-transformations (bash 4)",
    r"&>>|\|&|;;&|;&\s*$|\bwait -n\b|\$EPOCHSECONDS|\$EPOCHREALTIME": "bash 4 syntax",
    # A bare "${a[@]}" of an empty array fails under set -u in bash 3.2: write ${a[@]+"${a[@]}"}.
    r'(?<!\]\+)"\$\{\w+\[@\]\}"': "an array expansion without the ${a[@]+...} guard",
    r"\bstat -c\b|\bstat --": "GNU stat (BSD: stat -f)",
    r"--reference\b": "GNU chmod/chown/touch --reference",
    r"\bsed -i\b|\bsed -[a-zA-Z]*i\b": "sed -i (BSD needs an argument)",
    r"\bdate -d\b|\bdate --date\b": "GNU date -d",
    r"\breadlink -f\b": "GNU readlink -f",
    r"\bxargs -r\b|\bxargs --no-run": "GNU xargs -r",
    r"\bgrep -[a-zA-Z]*P": "grep -P (not in BSD grep)",
    r"\bfind\b.*-printf\b": "GNU find -printf",
    r"(?<!command -v )\bsha256sum\b(?! <)(?!.*shasum)": "sha256sum (macOS: shasum -a 256)",
}


def code_lines(path: str):
    for number, line in enumerate((PROJECT_ROOT / path).read_text().splitlines(), 1):
        code = line.split(" #", 1)[0] if not line.lstrip().startswith("#") else ""
        if code.strip():
            yield number, code


@pytest.mark.parametrize("path", HOST_SCRIPTS)
def test_host_script_runs_on_bash_3_2_and_bsd_tools(path):
    found = [f"{path}:{number}: {why}: {code.strip()}"
             for number, code in code_lines(path) for pattern, why in FORBIDDEN.items() if re.search(pattern, code)]
    assert not found, "\n".join(found)


def test_the_check_catches_what_broke_on_macos():
    """The three constructs that stopped scripts/start on a Mac, each caught."""
    broken = ['mapfile -t base_args < <(x)', 'build_image "$tag" "${rest[@]}"', 'if [ "$(stat -c %u "$d")" ]; then',
              'chmod --reference="$f" "$tmp"']
    for code in broken:
        assert any(re.search(pattern, code) for pattern in FORBIDDEN), code
