"""`python -m lock` is the same as the `lock` command."""

import sys

from lock.cli import main

sys.exit(main())
