"""Nothing lost, bad input handled, crash-safe, reproducible across machines' settings."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cn_local_gov_speeches.config import BuildConfig
from cn_local_gov_speeches.pipeline import InputFile, process_document, run
from cn_local_gov_speeches.record import Document, Rejection, RejectReason

from conftest import NAME, ROOT, build
from synth import speech


def _quarantine(dist: Path) -> dict[str, dict]:
    lines = (dist / NAME / "quarantine.jsonl").read_text(encoding="utf-8").splitlines()
    return {(x := json.loads(line))["file"]: x for line in lines}


def test_odd_inputs_each_get_a_row_or_a_reason(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "a").mkdir(parents=True)
    (raw / "b").mkdir()
    (raw / "a" / "same name.txt").write_text(speech(1), encoding="utf-8")
    (raw / "b" / "same name.txt").write_text(speech(2), encoding="utf-8")  # duplicate name, other folder
    (raw / "名字 with spaces & 符号#1.txt").write_text(speech(3), encoding="gb18030")
    (raw / "copy.txt").write_text(speech(1), encoding="utf-8")  # byte-identical to a/same name.txt
    outside = tmp_path / "outside.txt"
    outside.write_text(speech(4), encoding="utf-8")
    (raw / "link.txt").symlink_to(outside)
    with open(raw / "huge.txt", "wb") as f:  # 200 MB, sparse: refused by size before reading
        f.truncate(200 * 1024 * 1024)
    (raw / "spaces.txt").write_bytes(b"   \n\n\t  ")
    (raw / "english.txt").write_text("Minutes of the meeting. " * 50, encoding="utf-8")
    (raw / "scan.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + os.urandom(200))
    (raw / "img.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(200))
    (raw / "nul.txt").write_bytes(speech(6).encode("utf-8")[:90] + b"\x00\x00\x00" + os.urandom(50))
    (raw / "mixed.txt").write_bytes(speech(7).encode("utf-8") + speech(8).encode("gbk"))
    # rarer encodings are rows that pass validation (the schema lists every encoding decode returns)
    (raw / "u32.txt").write_bytes(speech(9).encode("utf-32"))
    (raw / "hz.txt").write_bytes(speech(10).encode("hz"))
    # a file manager's metadata is not an input: neither a row nor quarantined
    (raw / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1" + bytes(100))
    (raw / "a" / "._same name.txt").write_bytes(b"\x00\x05\x16\x07" + bytes(100))
    (raw / "b" / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0" + bytes(100))
    assert build(raw, tmp_path / "dist") == 0
    q = _quarantine(tmp_path / "dist")
    expected = {"copy.txt": "duplicate_input", "link.txt": "not_a_regular_file", "huge.txt": "too_large",
                "spaces.txt": "empty", "english.txt": "not_chinese", "scan.pdf": "binary", "img.png": "binary",
                "nul.txt": "binary", "mixed.txt": "undecodable"}
    assert {k: v["reason"] for k, v in q.items()} == expected
    report = json.loads((tmp_path / "dist" / NAME / "build_report.json").read_text())
    assert report["counts"]["rows"] == 5 and report["counts"]["inputs"] == 14
    rows = {i["file"] for i in report["inputs"] if i["doc_id"]}
    assert rows == {"a/same name.txt", "b/same name.txt", "名字 with spaces & 符号#1.txt", "u32.txt", "hz.txt"}


BAD_BYTES = st.one_of(
    st.binary(max_size=400),
    st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.text(alphabet="同志们今天开会工作要求落实，。县区市X*×", max_size=300).map(lambda s: s.encode("gb18030")),
    st.tuples(st.binary(max_size=50), st.text(alphabet="同志们今天开会", max_size=80)).map(
        lambda t: t[1].encode("utf-8") + t[0] + t[1].encode("big5", "ignore")),
    st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff\x00", b"\r\n\r\n", b"\x00" * 64]),
)


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=BAD_BYTES)
def test_fuzz_per_file_path_never_raises(raw: bytes, tmp_path_factory) -> None:
    d = tmp_path_factory.mktemp("fuzz", numbered=True)
    p = d / "f.txt"
    p.write_bytes(raw)
    result = process_document(InputFile(p, "f.txt"), max_bytes=10_000)
    assert isinstance(result, Document | Rejection)
    if isinstance(result, Rejection):
        assert result.detail and result.source_file == "f.txt"
        # Decoding yields no lone surrogate, so the spill record's strict UTF-8 never fails.
        assert result.reason != RejectReason.INTERNAL_ERROR, result.detail
    shutil.rmtree(d)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.lists(BAD_BYTES, min_size=1, max_size=40))
def test_fuzz_whole_build_loses_nothing(files: list[bytes], tmp_path_factory) -> None:
    base = tmp_path_factory.mktemp("fuzzbuild", numbered=True)
    raw = base / "raw"
    raw.mkdir()
    (raw / "good.txt").write_text(speech(9), encoding="utf-8")
    for i, data in enumerate(files):
        (raw / f"bad_{i:03d}.bin").write_bytes(data)
    result = run(BuildConfig(raw_dir=raw, dist_dir=base / "dist"))
    assert len(result.documents) + len(result.rejections) == len(files) + 1
    assert build(raw, base / "dist") == 0
    shutil.rmtree(base)


def test_an_empty_or_missing_raw_folder_publishes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw, dist = tmp_path / "raw", tmp_path / "dist"
    (raw / "sub").mkdir(parents=True)
    (raw / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")  # a file manager's, not an input
    assert build(raw, dist) == 2 and not dist.exists()
    assert f"raw folder {raw} holds no files" in capsys.readouterr().err
    assert build(tmp_path / "missing", dist) == 2 and not dist.exists()


def test_a_broken_site_profile_stops_the_build_before_any_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    from cn_local_gov_speeches import build as build_module

    def broken() -> None:
        raise ValueError("site.yaml: not valid YAML: found unexpected end of stream")

    monkeypatch.setattr(build_module, "load_profiles", broken)
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(speech(1), encoding="utf-8")
    assert build(raw, tmp_path / "dist") == 2 and not (tmp_path / "dist").exists()
    assert "error: site profiles: site.yaml: not valid YAML" in capsys.readouterr().err


def _sums(folder: Path) -> str:
    return (folder / NAME / "SHA256SUMS").read_text()


def _verify(folder: Path) -> None:
    """Every file listed in SHA256SUMS exists with that hash, and nothing else is there."""
    import hashlib

    listed = {}
    for line in _sums(folder).splitlines():
        digest, rel = line.split("  ", 1)
        listed[rel] = digest
    files = {p.relative_to(folder / NAME).as_posix() for p in (folder / NAME).rglob("*") if p.is_file()}
    assert files - {"SHA256SUMS"} == set(listed)
    for rel, digest in listed.items():
        assert hashlib.sha256((folder / NAME / rel).read_bytes()).hexdigest() == digest


def test_kill_mid_build_leaves_previous_release_intact(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    for i in range(40):
        (raw / f"s{i:03d}.txt").write_text(speech(100 + i, n_paragraphs=30), encoding="utf-8")
    dist = tmp_path / "dist"
    assert build(raw, dist) == 0
    before = _sums(dist)
    (raw / "new.txt").write_text(speech(999), encoding="utf-8")  # the next build changes dist
    assert build(raw, tmp_path / "expected") == 0
    after = _sums(tmp_path / "expected")
    cmd = [sys.executable, str(ROOT / "build_dataset.py"), "--raw", str(raw), "--dist", str(dist), "--workers", "1",
           "--no-cache"]
    for delay in (0.5, 2.0, 3.5, 4.5, 5.5, 6.5, 8.0):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        code = proc.wait()
        # Whenever the kill lands, dist/ holds one complete release: the old one, or the new one
        # if the swap had already happened.
        _verify(dist)
        assert _sums(dist) in (before, after)
        if code == 0 or _sums(dist) == after:
            break
        assert _sums(dist) == before
    assert build(raw, dist) == 0  # a later build also clears what the killed ones left behind
    _verify(dist)
    assert _sums(dist) == after
    assert not [p for p in dist.iterdir() if p.name.startswith(".")]


def _processes_marked(mark: str) -> dict[int, str]:
    """Live (not zombie) processes whose environment holds `mark`: pid -> command line."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if mark.encode() not in (entry / "environ").read_bytes():
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile, or not ours
            continue
        if state != "Z":
            found[int(entry.name)] = command
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="finds the build's processes in /proc")
def test_a_killed_build_leaves_no_process_behind(tmp_path: Path) -> None:
    """SIGKILL (or the OOM killer) gives a build no chance to stop its pools: their workers, the
    checkers and the checkers' server must notice and exit by themselves."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for i in range(300):
        (raw / f"s{i:03d}.txt").write_text(speech(500 + i, n_paragraphs=30), encoding="utf-8")
    cmd = [sys.executable, str(ROOT / "build_dataset.py"), "--raw", str(raw), "--dist", str(tmp_path / "dist"),
           "--workers", "2", "--no-cache"]
    # Killed once the per-file workers run, then once the checkers (forked by their server) run.
    for stage, ready in (("per-file workers", lambda ps: sum("build_dataset.py" in c for c in ps.values()) >= 3),
                         ("checkers", lambda ps: sum("forkserver" in c for c in ps.values()) >= 3)):
        mark = f"CN_LGS_KILL_TEST={os.getpid()}-{stage}"
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env={**os.environ, "CN_LGS_KILL_TEST": mark.split("=", 1)[1]})
        deadline = time.monotonic() + 60
        while proc.poll() is None and not ready(_processes_marked(mark)) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proc.poll() is None, f"the build ended before its {stage} were seen"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 15
        while _processes_marked(mark) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _processes_marked(mark), f"left running after a kill among the {stage}"


def _clone(dest: Path) -> Path:
    for name in ("src", "schema", "raw", "validation"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("build_dataset.py", "pyproject.toml", "dataset_card.md", "CHANGELOG.md"):
        shutil.copy(ROOT / name, dest / name)
    return dest


def test_two_clones_with_different_settings_build_identical_bytes(tmp_path: Path) -> None:
    sums = []
    for i, (seed, tz, lang, workers) in enumerate([("1", "UTC", "C.UTF-8", "1"),
                                                    ("987", "Asia/Shanghai", "POSIX", "2")]):
        clone = _clone(tmp_path / f"clone{i}")
        cwd = tmp_path / f"cwd{i}"
        cwd.mkdir()
        env = {**os.environ, "PYTHONHASHSEED": seed, "TZ": tz, "LC_ALL": lang, "LANG": lang}
        out = subprocess.run([sys.executable, str(clone / "build_dataset.py"), "--workers", workers], cwd=cwd,
                             env=env, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr[-3000:]
        sums.append(_sums(clone / "dist"))
    assert sums[0] == sums[1]
    assert sums[0] == _sums(ROOT / "dist"), "committed dist/ differs from a fresh build in a clone"


def test_scratch_folders_of_killed_builds_are_removed_by_the_next(tmp_path: Path) -> None:
    from cn_local_gov_speeches import scratch

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # its pid names a process that no longer exists
    stale = tmp_path / f"{scratch.PREFIX}spill-{gone.pid}-abc"
    stale.mkdir()
    (stale / "w-1.bin").write_bytes(b"x" * 10)
    with scratch.folder("spill", tmp_path) as live:
        assert scratch.remove_stale(tmp_path) == [stale]
        assert Path(live).is_dir() and not stale.exists()  # this process's own folder stays
    (tmp_path / "cn-speeches-notes").mkdir()  # not a scratch name: left alone
    assert scratch.remove_stale(tmp_path) == []
