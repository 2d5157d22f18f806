"""Whether this process stays up between builds (`build --watch`).

A long-running process keeps work from one build to the next: per-document results reused by
identity (dedup assignments, inherited metadata, row digests), dedup's candidate pairs, the
raw-file index in memory, the validation checkers. A one-shot build keeps none of it, so its
memory is only what the build itself needs (the 1 GiB budget at 100k documents).
"""

KEEP = False


def keep(on: bool = True) -> None:
    global KEEP
    KEEP = on
