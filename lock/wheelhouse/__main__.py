"""python -m lock.wheelhouse: the same as the `wheelhouse` command."""

import sys

from lock.wheelhouse.cli import main

sys.exit(main())
