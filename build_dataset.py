#!/usr/bin/env python3
"""Build the cn-local-gov-speeches dataset: raw/ -> dist/cn-local-gov-speeches/.

Only wires the command line to the package; see src/cn_local_gov_speeches/pipeline.py for the stages.
Usage: python build_dataset.py [build] [--workers N] [--strict] | explain FILE | generate
"""

import gc
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from cn_local_gov_speeches.cli import main

if __name__ == "__main__":
    status = main()
    # The process ends here. Frozen, the objects left are not walked by the interpreter's last
    # collections: exit took ~0.25 s after a 10k-file build, now ~0.05 s. Every output is closed.
    gc.freeze()
    sys.exit(status)
