"""Builder step: matplotlib's font list (fontlist-vNNN.json), made once in the build instead of at
every container's first `import matplotlib` (the container's cache folder is fresh each start).
image/start.sh copies it to where matplotlib looks (its cache folder, which must be writable).
Entries sorted by font file: matplotlib's own scan comes out in set order, which changes with the
hash seed, and a rebuild must give the same bytes. Fonts of matplotlib's data folder are stored
relative to it (matplotlib's own json_dump), so no build path gets in.
    font_cache.py DIR    (run with MPLCONFIGDIR set to an empty folder: a fresh scan, not a cache)
Nothing to do when the lock has no matplotlib.
"""

import importlib.util
import sys
from pathlib import Path

if importlib.util.find_spec("matplotlib") is None:
    sys.exit(0)

from matplotlib import font_manager  # noqa: E402 (only when there is one)

manager = font_manager.fontManager
manager.ttflist.sort(key=lambda font: font.fname)
manager.afmlist.sort(key=lambda font: font.fname)
target = Path(sys.argv[1]) / f"fontlist-v{font_manager.FontManager.__version__}.json"
target.parent.mkdir(parents=True, exist_ok=True)
font_manager.json_dump(manager, target)  # warns (no exception) when it cannot write
if not target.is_file():
    sys.exit(f"font_cache.py: could not write {target}")
