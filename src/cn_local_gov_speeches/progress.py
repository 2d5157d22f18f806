"""Progress reporting: a tqdm bar on a terminal, plain log lines otherwise (CI, files)."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator

from tqdm import tqdm

# Log lines when not on a terminal: one per this many seconds at most.
LOG_INTERVAL_S = 10.0


class _Progress:
    def __init__(self, stage: str, total: int, total_bytes: int) -> None:
        self.stage, self.total, self.total_bytes = stage, total, total_bytes
        self.done = self.done_bytes = 0
        self.start = self.last_log = time.monotonic()
        self.bar = tqdm(total=total, desc=stage, unit="file", file=sys.stderr) if sys.stderr.isatty() else None

    def advance(self, n_bytes: int) -> None:
        self.done += 1
        self.done_bytes += n_bytes
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix_str(f"{self.done_bytes / 1e6:.1f}/{self.total_bytes / 1e6:.1f} MB")
            return
        now = time.monotonic()
        if now - self.last_log >= LOG_INTERVAL_S or self.done == self.total:
            self.last_log = now
            rate = self.done / max(now - self.start, 1e-9)
            eta = (self.total - self.done) / rate if rate else 0.0
            print(f"[{self.stage}] {self.done}/{self.total} files, {self.done_bytes / 1e6:.1f}/"
                  f"{self.total_bytes / 1e6:.1f} MB, {rate:.0f} files/s, ETA {eta:.0f}s", file=sys.stderr)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@contextlib.contextmanager
def progress(stage: str, total: int, total_bytes: int = 0) -> Iterator[_Progress]:
    p = _Progress(stage, total, total_bytes)
    try:
        yield p
    finally:
        p.close()
