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
from cn_local_gov_speeches.tables import (
    build_table,
    group_tables,
    iter_all_tables,
    n_rows,
    row_groups,
    rows_for,
    texts_in_memory,
)


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


def test_row_groups_are_content_defined_so_an_added_row_changes_only_its_neighbourhood() -> None:
    docs = [_doc(i) for i in range(400)]
    params = dict(min_rows=4, max_rows=16, every=8)
    groups = row_groups(docs, **params)
    assert [d.doc_id for g in groups for d in g] == [d.doc_id for d in rows_for("documents", docs)]
    assert all(len(g) <= 16 for g in groups) and all(len(g) >= 4 for g in groups[:-1])
    assert len(groups) > 20  # cut by the doc_id hashes, not only at the maximum
    before = {tuple(d.doc_id for d in g) for g in groups}
    for extra in (1000, 1001, 1002):  # another row anywhere: the other groups stay as they were
        after = {tuple(d.doc_id for d in g) for g in row_groups([*docs, _doc(extra)], **params)}
        assert len(before - after) <= 2, extra
    assert row_groups([]) == [[]]


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
    table = build_table("documents", [_doc(1)])
    reports = []
    for workers in (1, 2):
        with validate.SuiteRunner(workers) as runner:
            runner.add("documents", table.drop_columns(["title"]))
            runner.add("documents", build_table("documents", [_doc(2, script="Latn")]).drop_columns(["title"]))
            reports.append(runner.report())
            # In checkers, the first batch's schema checks travel with the next batch: one validation
            # for both (and one for the whole-column checks), not one for each batch.
            assert workers == 1 or runner._n_handed == 2
    assert reports[0] == reports[1]
    failed = {(r["type"], r["column"]): r for r in reports[0].failures()}
    # Counted once (on the first batch), not once per batch.
    assert failed[("expect_column_to_exist", "title")]["success"] is False
    assert failed[("expect_column_values_to_be_in_set", "script")]["doc_ids"] == [_doc(2).doc_id]
    runner = validate.SuiteRunner()
    runner.add("documents", table)
    with pytest.raises(ValueError, match="schema differs"):
        runner.add("documents", table.drop_columns(["title"]))


def test_group_files_hold_one_row_group_each_named_in_order(tmp_path: Path) -> None:
    docs = [_doc(i) for i in range(5)]
    files = publish.GroupFiles(tmp_path, project_info(), {"documents": 2})
    files.write("documents", 0, build_table("documents", docs[:3]))
    files.write("documents", 1, build_table("documents", docs[3:]))
    summary = files.summary("documents")
    paths = sorted((tmp_path / "data" / "documents").glob("*.parquet"))
    assert [p.name for p in paths] == ["train-00000-of-00002.parquet", "train-00001-of-00002.parquet"]
    assert [pq.ParquetFile(p).metadata.num_row_groups for p in paths] == [1, 1]
    assert summary.num_rows == 5 and summary.schema == arrow_schema("documents")
    assert pq.read_table(paths[0]).schema.metadata[b"config"] == b"documents"
    assert pa.concat_tables(pq.read_table(p) for p in paths).cast(arrow_schema("documents")).equals(
        build_table("documents", docs))


def test_a_pool_of_checkers_reports_exactly_what_one_checker_does(monkeypatch: pytest.MonkeyPatch) -> None:
    # Batches go to a checker GROUPS_PER_CHECK at a time: failures in every handover.
    monkeypatch.setattr(validate, "GROUPS_PER_CHECK", 2)
    batches = [[_doc(1), _doc(2, script="Latn")], [_doc(1), _doc(3)], [_doc(4, region_code="99")],
               [_doc(5, script="Latn")], [_doc(6)], [_doc(7, script="Latn")]]
    reports = []
    for workers in (1, 2):
        with validate.SuiteRunner(workers) as runner:
            for rows in batches:
                runner.add("documents", build_table("documents", rows))
            reports.append(runner.report())
            assert workers == 1 or runner._n_handed == 4  # three handovers of batches, one of whole columns
    assert reports[0] == reports[1] and not reports[0].success
    script = {(r["type"], r["column"]): r for r in reports[1].results}[("expect_column_values_to_be_in_set", "script")]
    assert script["doc_ids"] == [_doc(i).doc_id for i in (2, 5, 7)]


def test_prechecks_of_several_configs_in_one_validation_tell_each_config_apart() -> None:
    # A rebuild's new rows are prechecked in documents and raw at once, side by side: a failure in one
    # config must not fail the other, whether checked here or in a checker; unequal lengths go apart.
    from cn_local_gov_speeches.record import part_of

    rows = [_doc(1), _doc(2, script="Latn")]  # script is a per-file column of documents only
    assert part_of("script") == "file"
    for workers in (1, 2):
        with validate.SuiteRunner(workers) as runner:
            passed = runner.precheck_many({"documents": build_table("documents", rows),
                                           "raw": build_table("raw", rows)}, "file")
            assert {config: call() for config, call in passed.items()} == {"documents": False, "raw": True}
            assert workers == 1 or runner._n_handed == 1
            apart = runner.precheck_many({"documents": build_table("documents", rows[:1]),
                                          "raw": build_table("raw", [_doc(3, raw_text=None), _doc(4)])}, "file")
            assert {config: call() for config, call in apart.items()} == {"documents": True, "raw": False}


def test_batches_of_several_configs_in_one_validation_report_what_each_alone_would() -> None:
    # A rebuild checks its new rows' dedup part in documents and canonical at once, side by side: the
    # report must be the one of two batches checked apart, each failure in its own config.
    rows = [_doc(1, is_canonical=True), _doc(2, is_canonical=True, duplicate_group="bad")]
    tables = {config: build_table(config, rows) for config in ("documents", "canonical")}
    reports = []
    for together in (False, True):
        for workers in (1, 2):
            with validate.SuiteRunner(workers) as runner:
                if together:
                    batches = {config: (table, "dedup") for config, table in tables.items()}
                    assert runner.add_together(batches, {"documents": True, "canonical": True})
                    assert workers == 1 or runner._n_handed == 1
                else:
                    for config, table in tables.items():
                        runner.add(config, table, schema_checked=True, part="dedup")
                reports.append(runner.report())
    assert all(r == reports[0] for r in reports) and not reports[0].success
    failed = [(r["config"], r["column"], r["doc_ids"]) for r in reports[0].failures()]
    assert failed == [("documents", "duplicate_group", [_doc(2).doc_id]),
                      ("canonical", "duplicate_group", [_doc(2).doc_id])]
    with validate.SuiteRunner() as runner:  # unequal lengths, or a schema not yet checked: not together
        known = {"documents": True, "canonical": True}
        unequal = {"documents": (tables["documents"], "dedup"), "canonical": (tables["canonical"].slice(0, 1), "dedup")}
        assert not runner.add_together(unequal, known)
        assert not runner.add_together({c: (t, "dedup") for c, t in tables.items()}, {**known, "canonical": False})
        assert runner.report().success  # nothing was checked


def test_texts_checked_only_for_nulls_travel_as_their_null_pattern_and_nulls_still_fail() -> None:
    run = [e for e in validate.suite_spec("raw") if e["type"] != "expect_column_values_to_be_unique"]
    table = build_table("raw", [_doc(1), _doc(2, raw_text=None)])
    proxy = validate._nulls_of_texts(table, run)
    assert proxy.column("raw_text").to_pylist() == ["", None]  # the nulls, none of the text
    assert proxy.column("doc_id").equals(table.column("doc_id")) and proxy.schema.equals(table.schema)
    reports = []
    for workers in (1, 2):  # a null text in a later batch (handed over without its texts) is found
        with validate.SuiteRunner(workers) as runner:
            for rows in ([_doc(1)], [_doc(2), _doc(3, text=None)], [_doc(4, text_simplified=None)]):
                runner.add("documents", build_table("documents", rows))
            reports.append(runner.report())
    assert reports[0] == reports[1]
    failed = {r["column"]: r["doc_ids"] for r in reports[0].failures()}
    assert failed == {"text": [_doc(3).doc_id], "text_simplified": [_doc(4).doc_id]}


def test_one_pass_gives_every_config_group_by_group() -> None:
    docs = [_doc(i, is_canonical=i % 3 != 0, duplicate_of=None if i % 3 else f"d{1:016x}") for i in range(11)]
    by_config: dict[str, list[pa.Table]] = {}
    for config, table in iter_all_tables([without_texts(d) for d in docs], _texts_by_id(docs)):
        by_config.setdefault(config, []).append(table)
    for config, tables in by_config.items():
        assert pa.concat_tables(tables).equals(build_table(config, docs)), config
    assert sorted(by_config) == ["canonical", "documents", "raw"]
    empty = list(iter_all_tables([], texts_in_memory))
    assert sorted((c, t.num_rows) for c, t in empty) == [("canonical", 0), ("documents", 0), ("raw", 0)]
    # A group's canonical table holds its canonical rows; a group without any has none.
    no_canonical = [_doc(i, is_canonical=False, duplicate_of=f"d{1:016x}") for i in range(3)]
    assert [c for c, _ in group_tables(no_canonical, _texts_by_id(no_canonical))] == ["documents", "raw"]
    assert [c for c, _ in group_tables(docs, _texts_by_id(docs), ["raw"])] == ["raw"]
    assert n_rows("canonical", docs) == sum(d.is_canonical for d in docs)


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


def test_a_checker_makes_each_expectation_configuration_once_and_reports_as_gx_alone(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from great_expectations.expectations.expectation import Expectation

    from cn_local_gov_speeches import gx_loader

    checker = validate._Checker()  # remembers configurations from now on, in this process
    spec = validate.suite_spec("documents")
    table = build_table("documents", [_doc(1), _doc(2, script="Latn"), _doc(3, region_code="99")])
    gx_made = gx_loader._make_configuration
    made: list[int] = []
    monkeypatch.setattr(gx_loader, "_make_configuration", lambda e: made.append(id(e)) or gx_made(e))
    remembered = checker.check("documents", table, spec)
    assert not all(r["success"] for r in remembered)  # both result formats ran
    assert len(made) == len(set(made))  # once per expectation object (GX makes copies of its own)
    # GX's own property (a configuration made at every read) gives the same report, making many more.
    every_read: list[int] = []
    monkeypatch.setattr(Expectation, "configuration", property(lambda e: every_read.append(id(e)) or gx_made(e)))
    monkeypatch.setattr(Expectation, "__setattr__", gx_loader._set_attribute)
    assert checker.check("documents", table, spec) == remembered
    assert len(every_read) > 4 * len(made)
    monkeypatch.undo()
    # Changing an expectation drops its remembered configuration.
    e = gx_loader.gx.expectations.ExpectColumnValuesToBeInSet(column="script", value_set=["Hans"])
    assert e.configuration.kwargs["value_set"] == ["Hans"]
    e.value_set = ["Hant"]
    assert e.configuration.kwargs["value_set"] == ["Hant"]
    gx_loader.forget_configurations()


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


def test_whole_column_checks_given_up_front_report_what_the_batches_would() -> None:
    # The build hands every row's doc_id to the checkers first (no texts needed); the report must be
    # the one made from the batches' own columns, duplicates across batches included.
    from cn_local_gov_speeches.tables import columns_of

    batches = [[_doc(1), _doc(2, script="Latn")], [_doc(1), _doc(3)]]
    reports = []
    for up_front in (False, True):
        for workers in (1, 2):
            with validate.SuiteRunner(workers) as runner:
                if up_front:
                    rows = [d for batch in batches for d in batch]
                    runner.check_whole({"documents": columns_of("documents", rows, runner.whole_columns("documents"))})
                for batch in batches:
                    runner.add("documents", build_table("documents", batch))
                reports.append(runner.report())
    assert all(r == reports[0] for r in reports) and not reports[0].success
    failed = {(r["type"], r["column"]): r for r in reports[-1].failures()}
    assert failed[("expect_column_values_to_be_unique", "doc_id")]["doc_ids"] == [_doc(1).doc_id] * 2


def test_whole_column_checks_of_several_configs_in_one_validation_report_each_config() -> None:
    # check_whole validates every config's columns side by side, the shorter padded with nulls:
    # the nulls must not count as duplicates, and each failure must land in its own config.
    from cn_local_gov_speeches.tables import columns_of

    docs = [_doc(1), _doc(2), _doc(3)]
    for workers in (1, 2):
        with validate.SuiteRunner(workers) as runner:
            runner.check_whole({
                "documents": columns_of("documents", docs, runner.whole_columns("documents")),
                "canonical": columns_of("canonical", docs[:1], runner.whole_columns("canonical")),
                "raw": columns_of("raw", [*docs, docs[0]], runner.whole_columns("raw")),
            })
            report = runner.report()
        failed = [(r["config"], r["type"], r["column"], r["doc_ids"]) for r in report.failures()]
        assert failed == [("raw", "expect_column_values_to_be_unique", "doc_id", [_doc(1).doc_id] * 2)], workers
