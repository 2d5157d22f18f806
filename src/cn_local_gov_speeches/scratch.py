"""The build's scratch folders (spill, stock set, validation handover) in the system's temp folder.

Each is removed when its stage ends, but a build killed outright (SIGKILL, out of memory) cannot
remove them, and a spill holds every text of the corpus (~3.5 GB at 100k documents). Their names
carry the building process's id, so the next build removes those whose process is gone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

PREFIX = "cn-speeches-"


def folder(kind: str, parent: Path | None = None) -> tempfile.TemporaryDirectory:
    """A scratch folder for `kind` (spill, stock, validate), named after this process."""
    return tempfile.TemporaryDirectory(prefix=f"{PREFIX}{kind}-{os.getpid()}-", dir=parent)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def remove_stale(parent: Path | None = None) -> list[Path]:
    """Remove scratch folders left by builds whose process no longer exists; returns them."""
    removed = []
    for path in Path(parent or tempfile.gettempdir()).glob(f"{PREFIX}*-*-*"):
        pid = path.name[len(PREFIX):].split("-")[1]
        if path.is_dir() and not path.is_symlink() and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed
