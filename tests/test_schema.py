"""The schema as code: one definition, every derived artefact consistent with it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from cn_local_gov_speeches import card, validate
from cn_local_gov_speeches.card import features_yaml
from cn_local_gov_speeches.record import Document
from cn_local_gov_speeches.schema import CONFIGS, arrow_schema, fields_for, load_fields
from cn_local_gov_speeches.tables import build_table

from conftest import fresh_interpreter


def test_record_fields_equal_schema_fields_in_order() -> None:
    assert [f.name for f in dataclasses.fields(Document)] == [f.name for f in load_fields()]


def test_evolve_and_pickling_keep_every_field() -> None:
    import pickle

    from cn_local_gov_speeches.record import Marker, evolve

    doc = Document(doc_id="d1", source_file="a.txt", source_sha256="0" * 64, encoding="utf-8", text="同志们",
                   date=dt.date(2024, 3, 8), redaction_markers=(Marker("place", "X县", 1),), raw_text="原文")
    changes = {"title": "讲话", "region_code": "610923", "is_canonical": False, "containment": 0.9}
    assert evolve(doc, **changes) == dataclasses.replace(doc, **changes)
    assert evolve(doc) == doc and pickle.loads(pickle.dumps(doc)) == doc
    with pytest.raises(KeyError):
        evolve(doc, colour="red")


def test_every_field_has_a_description_and_a_config() -> None:
    for f in load_fields():
        assert len(f.description) > 10, f.name
        assert f.configs, f.name


@pytest.mark.parametrize("config", CONFIGS)
def test_committed_suites_equal_generated(config: str) -> None:
    assert validate.suite_file(config).read_text(encoding="utf-8") == validate.render_suite(config), (
        "validation/ is stale: run `python build_dataset.py generate`"
    )


def test_committed_features_equal_generated() -> None:
    # The build reads the committed features instead of importing `datasets`.
    assert card.FEATURES_FILE.read_text(encoding="utf-8") == card.render_features(), (
        "schema/hf_features.generated.yaml is stale: run `python build_dataset.py generate`"
    )
    assert card.committed_features() == {c: features_yaml(arrow_schema(c)) for c in CONFIGS}


def test_every_constraint_yields_an_expectation() -> None:
    spec = validate.suite_spec("documents")
    kinds = {(e["type"], e["kwargs"]["column"]) for e in spec}
    for f in fields_for("documents"):
        assert ("expect_column_to_exist", f.name) in kinds
        if not f.nullable:
            assert ("expect_column_values_to_not_be_null", f.name) in kinds
        if f.values:
            assert ("expect_column_values_to_be_in_set", f.name) in kinds
        if f.pattern:
            assert ("expect_column_values_to_match_regex", f.name) in kinds


def test_card_features_round_trip_to_the_arrow_schema() -> None:
    from datasets import Features

    for config in CONFIGS:
        schema = arrow_schema(config)
        feats = Features._from_yaml_list(features_yaml(schema))
        assert feats.arrow_schema.types == schema.types, config


def _doc(**kw: object) -> Document:
    base = dict(doc_id="d0123456789abcdef", source_file="a.txt", source_sha256="0" * 64, encoding="utf-8",
                text="同志们：今天开会。", text_simplified="同志们：今天开会。", text_sha256="1" * 64, n_chars=9,
                n_han=7, duplicate_group="g0123456789abcdef", date=dt.date(2024, 3, 8), date_precision="day",
                date_status="stated", raw_text="同志们：今天开会。")
    base.update(kw)
    return Document(**base)


def test_good_table_passes_real_great_expectations() -> None:
    tables = {c: build_table(c, [_doc()]) for c in CONFIGS}
    report = validate.validate_tables(tables)
    assert report.success, report.describe_failures()


def test_bad_table_fails_on_the_expected_expectations() -> None:
    bad = [_doc(), _doc(doc_id="d0123456789abcdef", script="Latn"), _doc(doc_id="nope", region_code="99")]
    report = validate.validate_tables({"documents": build_table("documents", bad)})
    assert not report.success
    failed = {(r["type"], r["column"]) for r in report.failures()}
    assert ("expect_column_values_to_be_unique", "doc_id") in failed
    assert ("expect_column_values_to_be_in_set", "script") in failed
    assert ("expect_column_values_to_match_regex", "doc_id") in failed
    assert ("expect_column_values_to_match_regex", "region_code") in failed
    unique = next(r for r in report.failures() if r["type"] == "expect_column_values_to_be_unique")
    assert "d0123456789abcdef" in unique["doc_ids"]


def test_a_null_in_a_required_column_fails_validation_with_its_doc_id() -> None:
    # Arrow does not enforce `nullable=False` when building a table; the generated suite does.
    report = validate.validate_tables({"documents": build_table("documents", [_doc(), _doc(doc_id="d" + "f" * 16,
                                                                                           text=None)])})
    failed = [r for r in report.failures() if r["type"] == "expect_column_values_to_not_be_null"]
    assert [(r["column"], r["doc_ids"]) for r in failed] == [("text", ["d" + "f" * 16])]


def test_gx_loader_defers_what_no_check_uses_and_loads_it_on_first_use() -> None:
    # A fresh interpreter: the deferral only happens where GX is not yet imported. A real check (both
    # result formats) runs first; none of the deferred modules may be loaded by it (a stand-in loaded
    # through a submodule import would load that submodule twice).
    code = (f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
            "from cn_local_gov_speeches import gx_loader, validate\n"
            "from cn_local_gov_speeches.tables import build_table\n"
            "from test_schema import _doc\n"
            "checker = validate._Checker()\n"
            "kwargs = {'column': 'script', 'value_set': ['Hant']}\n"
            "spec = [{'type': 'expect_column_values_to_be_in_set', 'kwargs': kwargs}]\n"
            "print(checker.check('documents', build_table('documents', [_doc()]), spec)[0]['success'])\n"
            "print(len(gx_loader.DEFERRED), *{type(sys.modules[name]).__name__ for name in gx_loader.DEFERRED})\n"
            "from scipy import stats\n"
            "print(round(float(stats.entropy([0.5, 0.5], [0.5, 0.5])), 6))\n"
            "print(type(sys.modules['scipy.stats']).__name__)\n")
    failed, n_deferred, *rest = fresh_interpreter(code)
    assert (failed, int(n_deferred) >= 3, rest) == ("False", True, ["_StandIn", "0.0", "module"])
