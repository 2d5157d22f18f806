"""Shared fixtures: one real build of the seeds plus bad inputs into a temp dir, reused by tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cn_local_gov_speeches.cli import main

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "raw"
NAME = "cn-local-gov-speeches"

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def fresh_interpreter(code: str) -> list[str]:
    """The words `code` prints, run in a new interpreter (what it imports starts from nothing) with
    the package's folder on the path as the test suite has it (it need not be installed)."""
    src = str(ROOT / "src")
    out = subprocess.run([sys.executable, "-c", f"import sys\nsys.path.insert(0, {src!r})\n{code}"],
                         capture_output=True, text=True, check=True)
    return out.stdout.split()


def build(raw: Path, dist: Path, *extra: str) -> int:
    return main(["build", "--raw", str(raw), "--dist", str(dist), "--workers", "1", *extra])


@pytest.fixture(scope="session")
def seeds_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed raw/ plus a file of random bytes and an empty file, built once."""
    base = tmp_path_factory.mktemp("e2e")
    raw = base / "raw"
    shutil.copytree(RAW, raw)
    (raw / "zz_random.bin").write_bytes(bytes(range(256)) * 8 + os.urandom(0) + b"\x00\x01")
    (raw / "zz_empty.txt").write_bytes(b"")
    assert build(raw, base / "dist") == 0
    return base / "dist" / NAME


@pytest.fixture(scope="session")
def clean_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build of exactly the committed raw/, to compare with the committed dist/."""
    dist = tmp_path_factory.mktemp("fresh") / "dist"
    assert build(RAW, dist) == 0
    return dist / NAME
