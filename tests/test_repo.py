"""The repository contract: README commands, CI script, seeds copied byte for byte."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"```bash\n(.+?)\n```", readme)
    assert len(commands) >= 2
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci
    assert "build_dataset.py" in commands[0]
    assert "-eq 5" in ci


def test_raw_seeds_are_byte_identical_copies() -> None:
    if not SEEDS.is_dir():
        return
    for seed in SEEDS.iterdir():
        copy = ROOT / "raw" / seed.name
        assert copy.exists(), seed.name
        assert hashlib.sha256(copy.read_bytes()).digest() == hashlib.sha256(seed.read_bytes()).digest()


def _pins(lock: Path) -> dict[str, str]:
    return dict(re.findall(r"^([a-z0-9_.-]+)==(\S+)", lock.read_text(encoding="utf-8"), flags=re.M))


def test_build_and_test_locks_pin_the_same_versions() -> None:
    # Output bytes depend on library versions: building from either lock must give the same dist/.
    build, test = _pins(ROOT / "requirements.lock"), _pins(ROOT / "requirements-test.lock")
    assert build and set(build) <= set(test)
    assert {k: v for k, v in build.items() if test[k] != v} == {}
