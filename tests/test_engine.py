"""Engines and the incremental cache give exactly the bytes of a clean local build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cn_local_gov_speeches.cache import ResultCache
from cn_local_gov_speeches.cli import main

from conftest import NAME
from synth import speech


def _raw(tmp: Path, n: int) -> Path:
    raw = tmp / "raw"
    raw.mkdir(exist_ok=True)
    for i in range(n):
        (raw / f"s{i:03d}.txt").write_text(speech(500 + i), encoding="utf-8")
    (raw / "bad.bin").write_bytes(b"\x00\xff" * 40)
    return raw


def _build(raw: Path, dist: Path, *extra: str) -> str:
    assert main(["build", "--raw", str(raw), "--dist", str(dist), *extra]) == 0
    return (dist / NAME / "SHA256SUMS").read_text()


def test_ray_engine_output_is_byte_identical_to_local(tmp_path: Path) -> None:
    raw = _raw(tmp_path, 6)
    local = _build(raw, tmp_path / "local", "--workers", "1", "--no-cache")
    ray = _build(raw, tmp_path / "ray", "--engine", "ray", "--workers", "2", "--no-cache")
    assert local == ray


def test_worker_count_does_not_change_output(tmp_path: Path) -> None:
    raw = _raw(tmp_path, 6)
    assert _build(raw, tmp_path / "w1", "--workers", "1", "--no-cache") == _build(
        raw, tmp_path / "w2", "--workers", "2", "--no-cache")


def test_incremental_rebuild_equals_clean_build(tmp_path: Path) -> None:
    raw = _raw(tmp_path, 8)
    cache = tmp_path / "cache"
    _build(raw, tmp_path / "first", "--cache-dir", str(cache), "--workers", "1")
    (version,) = (p for p in cache.iterdir() if p.name != "divisions")
    results = ResultCache(cache, version.name)
    assert len(results) == 9  # 8 speeches and the rejected file
    (raw / "new.txt").write_text(speech(999), encoding="utf-8")
    (raw / "s000.txt").rename(raw / "renamed.txt")  # same bytes, new name: reused, name updated
    incremental = _build(raw, tmp_path / "inc", "--cache-dir", str(cache), "--workers", "1")
    assert len(results) == 10  # only the new file's result was added
    clean = _build(raw, tmp_path / "clean", "--no-cache", "--workers", "1")
    assert incremental == clean


def test_pruning_old_cache_versions_spares_other_folders(tmp_path: Path) -> None:
    # The cache root is shared with the division tables; a build pruning old result versions must not
    # delete them under another build's workers.
    for name in ("0123456789abcdef", "fedcba9876543210", "divisions"):
        (tmp_path / name).mkdir()
    ResultCache(tmp_path, "fedcba9876543210").prune_other_versions()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["divisions", "fedcba9876543210"]


def test_a_damaged_result_cache_only_costs_time(tmp_path: Path) -> None:
    raw = _raw(tmp_path, 3)
    cache = tmp_path / "cache"
    first = _build(raw, tmp_path / "first", "--cache-dir", str(cache), "--workers", "1")
    (database,) = cache.glob("*/results.sqlite")
    for path in database.parent.glob("results.sqlite*"):
        path.write_bytes(b"not a database" * 100)
    # Without kept tables the texts of the unchanged files are needed: made again from the raw files.
    shutil.rmtree(database.parent / "tables")
    assert _build(raw, tmp_path / "again", "--cache-dir", str(cache), "--workers", "1") == first


def _kept_inodes(cache: Path) -> set[int]:
    return {p.stat().st_ino for p in cache.glob("*/tables/*.parquet")}


def _inodes(dist: Path) -> set[int]:
    return {p.stat().st_ino for p in (dist / NAME / "data").rglob("*.parquet")}


@pytest.mark.parametrize("keep", [False, True], ids=["new-process", "long-running"])
def test_a_rebuild_reuses_the_row_groups_an_added_file_leaves_alone(tmp_path: Path, monkeypatch, keep) -> None:
    from cn_local_gov_speeches import session, tables

    # A long-running process (watch mode) remembers the kept files' hashes between builds.
    monkeypatch.setattr(session, "KEEP", keep)

    # Small content-defined groups, so 16 speeches make several files per config.
    monkeypatch.setattr(tables, "GROUP_MIN_ROWS", 2)
    monkeypatch.setattr(tables, "GROUP_MAX_ROWS", 4)
    monkeypatch.setattr(tables, "GROUP_BOUNDARY_EVERY", 2)
    raw = _raw(tmp_path, 16)
    cache = tmp_path / "cache"
    _build(raw, tmp_path / "first", "--cache-dir", str(cache), "--workers", "1")
    first_files = _inodes(tmp_path / "first")
    assert len(first_files) >= 6 and first_files == _kept_inodes(cache)  # every file kept, as a link
    (raw / "new.txt").write_text(speech(999), encoding="utf-8")
    incremental = _build(raw, tmp_path / "inc", "--cache-dir", str(cache), "--workers", "1")
    reused = _inodes(tmp_path / "inc") & first_files
    assert 0 < len(reused) < len(first_files)  # the groups the new row left alone, and only those
    assert _kept_inodes(cache) == _inodes(tmp_path / "inc")  # entries the build did not use are dropped
    clean = _build(raw, tmp_path / "clean", "--no-cache", "--workers", "1")
    assert incremental == clean
    # A published file changed in place (it is the kept file too) is not reused; the output stays right.
    victim = next((tmp_path / "inc" / NAME / "data" / "documents").glob("*.parquet"))
    victim.write_bytes(victim.read_bytes()[:-1] + b"\0")
    assert _build(raw, tmp_path / "again", "--cache-dir", str(cache), "--workers", "1") == clean


def test_a_rebuild_validates_only_the_rows_no_passed_build_had(tmp_path: Path, monkeypatch) -> None:
    from cn_local_gov_speeches import table_cache, validate

    checked: list[tuple[str, int, str | None]] = []
    prechecked: list[tuple[str, int, str]] = []
    schema_known: list[bool] = []
    real_add, real_precheck = validate.SuiteRunner.add, validate.SuiteRunner.precheck_many
    real_together = validate.SuiteRunner.add_together

    def add(self, config, table, schema_checked=False, part=None):
        checked.append((config, table.num_rows, part))
        schema_known.append(schema_checked)
        return real_add(self, config, table, schema_checked, part)

    def add_together(self, batches, schemas_checked):
        done = real_together(self, batches, schemas_checked)
        if done:  # several configs' batches in one validation: each counts as checked
            checked.extend((config, table.num_rows, part) for config, (table, part) in batches.items())
            schema_known.extend(schemas_checked.values())
        return done

    def precheck_many(self, tables, part):
        prechecked.extend((config, table.num_rows, part) for config, table in tables.items())
        return real_precheck(self, tables, part)

    monkeypatch.setattr(validate.SuiteRunner, "add", add)
    monkeypatch.setattr(validate.SuiteRunner, "add_together", add_together)
    monkeypatch.setattr(validate.SuiteRunner, "precheck_many", precheck_many)
    raw = _raw(tmp_path, 12)
    cache = tmp_path / "cache"
    _build(raw, tmp_path / "first", "--cache-dir", str(cache), "--workers", "1")
    assert ("documents", 12, None) in checked and ("raw", 12, None) in checked  # one group, all new
    assert not any(schema_known) and not prechecked  # the first build checks the columns too
    (raw / "new.txt").write_text(speech(999), encoding="utf-8")
    checked.clear()
    schema_known.clear()
    incremental = _build(raw, tmp_path / "inc", "--cache-dir", str(cache), "--workers", "1")
    # The group changed, but only its changed rows are checked (the others passed before): the new
    # speech's per-file columns, before dedup; then the dedup columns of the new row and of those
    # whose duplicate scores it moved (a canonical row's per-file columns were checked in documents).
    assert sorted(prechecked) == [("documents", 1, "file"), ("raw", 1, "file")]
    changed = _new_rows(tmp_path / "first", tmp_path / "inc", "documents")
    assert [n for c, n, part in checked if c == "documents"] == [changed] and 1 <= changed < 13
    assert {(c, part) for c, _, part in checked} <= {("documents", "dedup"), ("canonical", "dedup")}
    assert all(schema_known)  # ... and not the columns again, under the same code
    assert incremental == _build(raw, tmp_path / "clean", "--no-cache", "--workers", "1")
    # A damaged note of validated rows only costs time: every row of a remade group is checked.
    (notes,) = cache.glob(f"*/tables/{table_cache._VALIDATED_FILE}")
    notes.write_bytes(notes.read_bytes()[:-3])
    (raw / "newer.txt").write_text(speech(998), encoding="utf-8")
    checked.clear()
    assert _build(raw, tmp_path / "again", "--cache-dir", str(cache), "--workers", "1") == _build(
        raw, tmp_path / "clean2", "--no-cache", "--workers", "1")
    assert ("documents", 14, None) in checked


def test_a_failed_precheck_leaves_its_rows_to_the_full_check(tmp_path: Path, monkeypatch, capsys) -> None:
    from cn_local_gov_speeches import validate

    raw = _raw(tmp_path, 4)
    cache = tmp_path / "cache"
    _build(raw, tmp_path / "first", "--cache-dir", str(cache), "--workers", "1")
    # A new expectation on a per-file column that no row passes: the added row's precheck fails, and
    # as no row's per-file part was checked under it, all five are checked after dedup and reported.
    real_spec = validate.suite_spec
    never = {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "encoding", "regex": "^$"}}
    monkeypatch.setattr(validate, "suite_spec",
                        lambda config: [*real_spec(config), *([never] if config == "documents" else [])])
    prechecks: list[bool] = []
    real_precheck = validate.SuiteRunner.precheck_many

    def precheck_many(self, tables, part):
        passed = real_precheck(self, tables, part)
        return {config: (lambda call=call: prechecks.append(call()) or prechecks[-1])
                for config, call in passed.items()}

    monkeypatch.setattr(validate.SuiteRunner, "precheck_many", precheck_many)
    (raw / "new.txt").write_text(speech(999), encoding="utf-8")
    capsys.readouterr()
    assert main(["build", "--raw", str(raw), "--dist", str(tmp_path / "inc"), "--cache-dir", str(cache),
                 "--workers", "1"]) == 1
    assert False in prechecks
    assert "[documents] expect_column_values_to_match_regex on encoding: 5 rows" in capsys.readouterr().err


def _new_rows(before: Path, after: Path, config: str) -> int:
    """Rows of `after`'s config that `before` lacks (compared on every value)."""
    import polars as pl

    def rows(dist: Path) -> set[str]:
        frame = pl.read_parquet(dist / NAME / "data" / config / "*.parquet")
        return set(map(repr, frame.select(sorted(frame.columns)).rows()))  # list cells: not hashable

    return len(rows(after) - rows(before))


def test_a_row_that_fails_validation_is_not_noted_as_validated(tmp_path: Path, monkeypatch) -> None:
    from cn_local_gov_speeches import validate

    raw = _raw(tmp_path, 3)
    cache = tmp_path / "cache"
    real_spec = validate.suite_spec
    # A suite no row can pass: the build refuses to publish and notes no row.
    never = {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "doc_id", "value_set": []}}
    monkeypatch.setattr(validate, "suite_spec", lambda config: [*real_spec(config), never])
    assert main(["build", "--raw", str(raw), "--dist", str(tmp_path / "bad"), "--cache-dir", str(cache),
                 "--workers", "1"]) == 1
    assert not list(cache.glob("*/tables/validated-rows.bin"))


def test_unchanged_raw_files_are_not_read_again_and_edited_ones_are(tmp_path: Path, monkeypatch) -> None:
    import os
    import time

    from cn_local_gov_speeches import pipeline, raw_index

    monkeypatch.setattr(raw_index, "_RACY_NS", 0)  # the files were written a moment ago
    raw = _raw(tmp_path, 4)
    cache = tmp_path / "cache"
    _build(raw, tmp_path / "first", "--cache-dir", str(cache), "--workers", "1")
    read: list[str] = []
    real_read = pipeline._read
    monkeypatch.setattr(pipeline, "_read", lambda inp, max_bytes: read.append(inp.rel) or real_read(inp, max_bytes))
    (raw / "new.txt").write_text(speech(999), encoding="utf-8")
    edited = raw / "s001.txt"
    before = edited.stat()
    time.sleep(0.01)
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("同志们", "同事们", 1), encoding="utf-8")  # same size, new bytes
    os.utime(edited, ns=(before.st_atime_ns, before.st_mtime_ns))  # even with its old mtime
    assert edited.stat().st_size == before.st_size
    incremental = _build(raw, tmp_path / "inc", "--cache-dir", str(cache), "--workers", "1")
    assert sorted(read) == ["new.txt", "s001.txt"]  # the ctime gives the edit away
    assert incremental == _build(raw, tmp_path / "clean", "--no-cache", "--workers", "1")


def test_watch_mode_rebuilds_when_a_file_arrives_and_stops_on_interrupt(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    from conftest import ROOT

    raw = _raw(tmp_path, 3)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    cmd = [sys.executable, str(ROOT / "build_dataset.py"), "build", "--watch", "--raw", str(raw), "--dist",
           str(tmp_path / "watched"), "--cache-dir", str(tmp_path / "cache"), "--workers", "1"]
    proc = subprocess.Popen(cmd, stderr=subprocess.STDOUT, stdout=subprocess.PIPE, text=True, env=env)
    try:
        lines = iter(proc.stdout)
        assert any("watching" in line for line in lines)  # the first build is done
        (raw / "new.txt").write_text(speech(999), encoding="utf-8")
        seen = []
        for line in lines:
            seen.append(line)
            if "watching" in line:
                break
        assert any("changed: rebuilding" in line for line in seen)
        assert any("5 inputs" in line for line in seen)  # 3 speeches, bad.bin and new.txt
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0
    assert (tmp_path / "watched" / NAME / "SHA256SUMS").read_text() == _build(
        raw, tmp_path / "clean", "--no-cache", "--workers", "1")


@pytest.mark.parametrize("stop", ["SIGINT", "SIGTERM"])
def test_watch_started_with_sigint_ignored_stops_on_sigint_or_sigterm(tmp_path: Path, stop: str) -> None:
    import os
    import signal
    import subprocess
    import sys

    from conftest import ROOT

    raw = _raw(tmp_path, 1)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    cmd = [sys.executable, str(ROOT / "build_dataset.py"), "build", "--watch", "--raw", str(raw), "--dist",
           str(tmp_path / "watched"), "--cache-dir", str(tmp_path / "cache"), "--workers", "1"]
    # As a script's `cmd &` starts it: SIGINT ignored, so Python installs no handler of its own.
    proc = subprocess.Popen(cmd, stderr=subprocess.STDOUT, stdout=subprocess.PIPE, text=True, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        assert any("watching" in line for line in proc.stdout)
    finally:
        proc.send_signal(getattr(signal, stop))
        assert proc.wait(timeout=60) == 0


def test_a_thread_filling_the_spill_reads_texts_from_the_result_cache(tmp_path: Path, monkeypatch) -> None:
    # Watch mode fills its spill in a thread between builds: it must get its own SQLite connection
    # (Python's sqlite3 refuses one made in another thread) rather than process the raw files again.
    import threading

    from cn_local_gov_speeches import pipeline
    from cn_local_gov_speeches.spill import DocumentSpill

    raw = _raw(tmp_path, 1)
    cache = ResultCache(tmp_path / "cache", "0123456789abcdef")
    inp = pipeline.InputFile(str(raw / "s000.txt"), "s000.txt")
    doc, _ = pipeline.process_file(inp, 10**6, cache)
    cache.flush()
    assert cache.get(doc.source_sha256) is not None  # a connection made in this thread
    monkeypatch.setattr(pipeline, "process_file", lambda *a: pytest.fail("the raw file was processed again"))
    with DocumentSpill() as spill:
        spill.put(doc, pipeline.CachedRecord(cache, inp, doc, 10**6))
        filler = threading.Thread(target=spill.fill_lazy, args=(threading.Event(),))
        filler.start()
        filler.join()
        assert spill.text_simplified(doc.doc_id) and not spill._lazy


def test_watch_sees_an_edit_in_place_by_its_full_look(tmp_path: Path, monkeypatch) -> None:
    # Editing a file leaves its folder's times alone: the periodic look at every file's stat finds it.
    import argparse
    import os
    import threading
    import time

    from cn_local_gov_speeches import build, session

    raw = _raw(tmp_path, 2)
    builds: list[float] = []

    def fake_build(args: argparse.Namespace, spill: object = None, listing: object = None) -> int:
        builds.append(time.monotonic())
        if len(builds) == 2:
            raise KeyboardInterrupt  # how Ctrl-C ends the watch
        return 0

    monkeypatch.setattr(build, "build", fake_build)
    monkeypatch.setattr(session, "KEEP", False)
    args = argparse.Namespace(raw=raw, dist=tmp_path / "dist", cache_dir=tmp_path / "cache")
    before = os.stat(raw).st_mtime_ns
    watcher = threading.Thread(target=build.watch, args=(args,), kwargs={"poll_s": 0.05, "settle_s": 0.05,
                                                                       "full_look_s": 0.5})
    watcher.start()
    while not builds and watcher.is_alive():  # (a watcher that failed ends the wait)
        time.sleep(0.01)
    time.sleep(0.2)
    edited = raw / "s000.txt"
    edited.write_text(edited.read_text(encoding="utf-8") + "再见。", encoding="utf-8")
    assert os.stat(raw).st_mtime_ns == before  # the folder's time says nothing
    watcher.join(timeout=30)
    assert not watcher.is_alive() and len(builds) == 2
    assert session.KEEP is False  # a watch that ended leaves the process as it found it
