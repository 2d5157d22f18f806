"""Bounded memory: texts spill to disk, tables are restored, validated and written a row group at a time."""

from __future__ import annotations

import dataclasses
import datetime as dt
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cn_local_gov_speeches import publish, validate
from cn_local_gov_speeches.config import project_info
from cn_local_gov_speeches.record import TEXT_FIELDS, Document, without_texts
from cn_local_gov_speeches.schema import arrow_schema
from cn_local_gov_speeches.spill import DocumentSpill, SpillRef, flush_records, write_record
from cn_local_gov_speeches.tables import build_table, iter_all_tables, n_rows, texts_in_memory


def _doc(i: int, **kw: object) -> Document:
    text = f"同志们：今天开第{i}次会。"
    base = dict(doc_id=f"d{i:016x}", source_file=f"{i}.txt", source_sha256=f"{i:064x}", encoding="utf-8",
                text=text, text_simplified=text, text_sha256="1" * 64, n_chars=len(text), n_han=8,
                duplicate_group=f"g{i:016x}", date=dt.date(2024, 3, 1 + i % 28), date_precision="day",
                date_status="stated", raw_text="原文" + text)
    base.update(kw)
    return Document(**base)


def test_spill_restores_exactly_what_was_put() -> None:
    docs = [_doc(1), _doc(2, text="體制", text_simplified="体制")]
    with DocumentSpill() as spill:
        for d in docs:
            spill.put(d)
        light = [without_texts(d) for d in docs]
        assert all(getattr(d, name) == "" for d in light for name in TEXT_FIELDS)
        assert [spill.restore(d) for d in light] == docs
        assert spill.text_simplified(docs[1].doc_id) == "体制"
        columns = spill.text_columns(light)
        assert all(columns[name].equals(texts_in_memory(docs)[name]) for name in TEXT_FIELDS)
        folder = spill.path.parent
    assert not folder.exists()  # the spill is temporary


def _write_elsewhere(folder: str, packed: list[bytes]) -> list[SpillRef]:
    refs = [write_record(folder, p) for p in packed]  # as a pool worker does, in its own segment
    flush_records()
    return refs


def test_records_written_by_workers_read_back_beside_the_parents_own() -> None:
    docs = [_doc(1), _doc(2, text="體制", text_simplified="体制"), _doc(3)]
    with DocumentSpill() as spill:
        spill.put(docs[0])
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            refs = pool.submit(_write_elsewhere, str(spill.folder), [DocumentSpill.pack(d) for d in docs[1:]]).result()
        assert all(Path(r.path).parent == spill.folder for r in refs)
        for d, r in zip(docs[1:], refs, strict=True):
            spill.put(without_texts(d), r)
        assert spill.text_simplified(docs[1].doc_id) == "体制"
        assert [spill.restore(without_texts(d)) for d in docs] == docs
        assert list(spill.simplified_slice([d.doc_id for d in reversed(docs)])) == [
            d.text_simplified for d in reversed(docs)]


def test_restore_keeps_columns_updated_after_the_spill() -> None:
    with DocumentSpill() as spill:
        spill.put(_doc(1))
        updated = without_texts(_doc(1, is_canonical=False, duplicate_of="d" + "0" * 16))
        restored = spill.restore(updated)
    assert restored.duplicate_of == "d" + "0" * 16 and restored.text == _doc(1).text


def _texts_by_id(docs: list[Document]):
    by_id = {d.doc_id: d for d in docs}
    return lambda rows: texts_in_memory([by_id[d.doc_id] for d in rows])


def _config_tables(config: str, docs: list[Document], restore, batch_rows: int) -> list[pa.Table]:
    texts = lambda rows: texts_in_memory([restore(d) for d in rows])  # noqa: E731
    return [t for c, t in iter_all_tables(docs, texts, batch_rows) if c == config]


def test_a_config_comes_whole_in_batches_of_the_batch_size() -> None:
    docs = [_doc(i) for i in range(7)]
    by_id = {d.doc_id: d for d in docs}
    batches = _config_tables("documents", [without_texts(d) for d in docs], lambda d: by_id[d.doc_id], 3)
    assert [b.num_rows for b in batches] == [3, 3, 1]
    assert pa.concat_tables(batches).equals(build_table("documents", docs))
    assert [b.num_rows for b in _config_tables("canonical", [], lambda d: d, 3)] == [0]  # always one table
    assert n_rows("canonical", [_doc(1), _doc(2, is_canonical=False)]) == 1


def test_batched_validation_catches_duplicates_across_batches_and_sums_counts() -> None:
    runner = validate.SuiteRunner()
    runner.add("documents", build_table("documents", [_doc(1), _doc(2, script="Latn")]))
    runner.add("documents", build_table("documents", [_doc(1), _doc(3, script="Latn")]))  # d..1 again
    report = runner.report()
    failed = {(r["type"], r["column"]): r for r in report.failures()}
    assert not report.success
    assert failed[("expect_column_values_to_be_unique", "doc_id")]["doc_ids"] == [_doc(1).doc_id] * 2
    script = failed[("expect_column_values_to_be_in_set", "script")]
    assert script["unexpected_count"] == 2 and script["doc_ids"] == [_doc(2).doc_id, _doc(3).doc_id]
    # One result per expectation of the suite, in suite order, whatever the number of batches.
    spec = validate.suite_spec("documents")
    assert [(r["type"], r["column"]) for r in report.results] == [(e["type"], e["kwargs"]["column"]) for e in spec]


def test_column_existence_is_checked_on_a_first_batch_and_a_changed_schema_is_refused() -> None:
    runner = validate.SuiteRunner()
    table = build_table("documents", [_doc(1)])
    runner.add("documents", table.drop_columns(["title"]))
    runner.add("documents", build_table("documents", [_doc(2)]).drop_columns(["title"]))
    failed = {(r["type"], r["column"]): r for r in runner.report().failures()}
    # Counted once (on the first batch), not once per batch.
    assert failed[("expect_column_to_exist", "title")]["success"] is False
    runner = validate.SuiteRunner()
    runner.add("documents", table)
    with pytest.raises(ValueError, match="schema differs"):
        runner.add("documents", table.drop_columns(["title"]))


def test_parquet_shards_write_one_row_group_per_batch(tmp_path: Path) -> None:
    docs = [_doc(i) for i in range(5)]
    shards = publish.ParquetShards(tmp_path, project_info(), "documents", arrow_schema("documents"), len(docs))
    for batch in _config_tables("documents", docs, lambda d: d, 2):
        shards.write(batch)
    summary = shards.close()
    (path,) = (tmp_path / "data" / "documents").glob("*.parquet")
    meta = pq.ParquetFile(path).metadata
    assert path.name == "train-00000-of-00001.parquet"
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [2, 2, 1]
    assert summary.num_rows == 5 and summary.schema == arrow_schema("documents")
    assert pq.read_table(path).schema.metadata[b"config"] == b"documents"


def test_a_pool_of_checkers_reports_exactly_what_one_checker_does() -> None:
    # Later batches go to a checker GROUPS_PER_CHECK at a time: failures in every handover.
    batches = [[_doc(1), _doc(2, script="Latn")], [_doc(1), _doc(3)], [_doc(4, region_code="99")],
               [_doc(5, script="Latn")], [_doc(6)], [_doc(7, script="Latn")]]
    reports = []
    for workers in (1, 2):
        with validate.SuiteRunner(workers) as runner:
            for rows in batches:
                runner.add("documents", build_table("documents", rows))
            reports.append(runner.report())
    assert reports[0] == reports[1] and not reports[0].success
    script = {(r["type"], r["column"]): r for r in reports[1].results}[("expect_column_values_to_be_in_set", "script")]
    assert script["doc_ids"] == [_doc(i).doc_id for i in (2, 5, 7)]


def test_one_pass_gives_every_config_in_row_groups_of_the_batch_size() -> None:
    docs = [_doc(i, is_canonical=i % 3 != 0, duplicate_of=None if i % 3 else f"d{1:016x}") for i in range(11)]
    by_config: dict[str, list[pa.Table]] = {}
    for config, table in iter_all_tables([without_texts(d) for d in docs], _texts_by_id(docs), 3):
        by_config.setdefault(config, []).append(table)
    for config, tables in by_config.items():
        assert pa.concat_tables(tables).equals(build_table(config, docs)), config
        assert all(t.num_rows == 3 for t in tables[:-1]) and 0 < tables[-1].num_rows <= 3, config
    assert sorted(by_config) == ["canonical", "documents", "raw"]
    empty = list(iter_all_tables([], texts_in_memory, 3))
    assert sorted((c, t.num_rows) for c, t in empty) == [("canonical", 0), ("documents", 0), ("raw", 0)]


def test_a_checker_frees_each_batch_and_skips_the_dataframe_fingerprint() -> None:
    import gc

    import pandas as pd
    from great_expectations.execution_engine import pandas_execution_engine

    checker = validate._Checker()
    spec = [e for e in validate.suite_spec("documents") if e["type"] not in validate._WHOLE_COLUMN]
    gc.collect()
    before = sum(isinstance(o, pd.DataFrame) for o in gc.get_objects())
    for i in range(3):
        assert all(r["success"] for r in checker.check("documents", build_table("documents", [_doc(i)]), spec))
    # GX's batch objects form reference cycles; the checker collects them, or every batch stays alive.
    assert sum(isinstance(o, pd.DataFrame) for o in gc.get_objects()) == before
    # The speed-up relies on this GX module constant; an upgrade that drops it should be noticed.
    assert pandas_execution_engine.HASH_THRESHOLD == 0


def test_spill_records_are_strict_utf8() -> None:
    # The tables take a record's bytes as a string column without re-validating them.
    with pytest.raises(UnicodeEncodeError):
        DocumentSpill.pack(dataclasses.replace(_doc(1), text="a\ud800b"))


def test_a_runner_left_before_its_report_closes_and_removes_its_handover_files() -> None:
    with validate.SuiteRunner(2) as runner:
        runner.add("documents", build_table("documents", [_doc(1)]))
        runner.add("documents", build_table("documents", [_doc(2)]))  # stays in an open handover file
        folder = Path(runner._handover.name)
        assert list(folder.iterdir())
    assert not folder.exists()
