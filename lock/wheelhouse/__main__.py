"""python -m lock.wheelhouse (scripts/wheelhouse runs it): `lock wheelhouse`."""

import sys

from lock.cli import main

sys.exit(main(["wheelhouse", *sys.argv[1:]]))
