"""Validate stage: Great Expectations 1.x expectations generated from the schema.

`suite_spec(config)` is a pure, JSON-able list derived from `schema/fields.yaml`; it is written to
`validation/<config>.expectations.json` (committed; a test checks it does not drift) and turned
into a GX suite at run time. Great Expectations is imported only in this module.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa

from .schema import PROJECT_ROOT, fields_for

VALIDATION_DIR = PROJECT_ROOT / "validation"
VALIDATED_CONFIGS = ("documents", "canonical", "raw")
_LIST_TYPES = {"list<string>", "list<marker>"}


def suite_spec(config: str) -> list[dict]:
    """Expectations (type + kwargs) for one config, in schema order."""
    out: list[dict] = []
    for f in fields_for(config):
        out.append({"type": "expect_column_to_exist", "kwargs": {"column": f.name}})
        if not f.nullable:
            out.append({"type": "expect_column_values_to_not_be_null", "kwargs": {"column": f.name}})
        if f.values:
            out.append({"type": "expect_column_values_to_be_in_set",
                        "kwargs": {"column": f.name, "value_set": list(f.values)}})
        if f.pattern:
            out.append({"type": "expect_column_values_to_match_regex",
                        "kwargs": {"column": f.name, "regex": f.pattern}})
        if f.unique:
            out.append({"type": "expect_column_values_to_be_unique", "kwargs": {"column": f.name}})
        if (f.min is not None or f.max is not None) and f.type not in _LIST_TYPES:
            out.append({"type": "expect_column_values_to_be_between",
                        "kwargs": {"column": f.name, "min_value": f.min, "max_value": f.max}})
    if config == "canonical":
        out.append({"type": "expect_column_values_to_be_in_set",
                    "kwargs": {"column": "is_canonical", "value_set": [True]}})
    keys = [(e["type"], e["kwargs"]["column"]) for e in out]
    assert len(keys) == len(set(keys)), "results are matched by (type, column): keep it unique"
    return out


def suite_file(config: str) -> Path:
    return VALIDATION_DIR / f"{config}.expectations.json"


def render_suite(config: str) -> str:
    return json.dumps({"name": config, "expectations": suite_spec(config)}, ensure_ascii=False, indent=2) + "\n"


def write_suites() -> None:
    VALIDATION_DIR.mkdir(exist_ok=True)
    for config in VALIDATED_CONFIGS:
        suite_file(config).write_text(render_suite(config), encoding="utf-8")


@dataclass(frozen=True, slots=True)
class ValidationReport:
    success: bool
    results: list[dict]  # one per expectation, in suite order

    def failures(self) -> list[dict]:
        return [r for r in self.results if not r["success"]]

    def describe_failures(self) -> str:
        lines = []
        for r in self.failures():
            lines.append(f"  [{r['config']}] {r['type']} on {r['column']}: {r['unexpected_count']} rows "
                         f"(doc_ids {', '.join(map(str, r['doc_ids'][:10]))}; values {r['unexpected_values'][:5]})")
        return "\n".join(lines)


def _jsonable(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "tolist"):
        return value.tolist()
    return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)


def validate_tables(tables: dict[str, pa.Table]) -> ValidationReport:
    """Run the generated suite on each config's table with the real Great Expectations."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    # GX logs at INFO on some of its own loggers (e.g. "Created temporary directory" per run).
    for name in ("great_expectations", "great_expectations.data_context.types.base"):
        logging.getLogger(name).setLevel(logging.WARNING)
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = ctx.data_sources.add_pandas("corpus")
    results: list[dict] = []
    all_ok = True
    for config, table in tables.items():
        df = table.to_pandas(types_mapper=pd.ArrowDtype)  # Arrow-backed: no Python string per cell
        batch = (source.add_dataframe_asset(config).add_batch_definition_whole_dataframe("all")
                 .get_batch(batch_parameters={"dataframe": df}))
        spec = suite_spec(config)
        suite = gx.ExpectationSuite(
            name=config,
            expectations=[_expectation(gx, e) for e in spec],
        )
        res = batch.validate(suite, result_format="COMPLETE")
        # Results do not come back in suite order; (type, column) is unique within a suite.
        by_key = {(r.expectation_config.type, r.expectation_config.kwargs.get("column")): r for r in res.results}
        for e in spec:
            r = by_key[(e["type"], e["kwargs"]["column"])]
            index = r.result.get("unexpected_index_list") or []
            ids = [df["doc_id"].iloc[i] for i in index if isinstance(i, int)] if "doc_id" in df else []
            results.append({
                "config": config,
                "type": e["type"],
                "column": e["kwargs"]["column"],
                "success": bool(r.success),
                "unexpected_count": int(r.result.get("unexpected_count") or 0),
                "unexpected_values": [_jsonable(v) for v in (r.result.get("unexpected_list") or [])[:20]],
                "doc_ids": sorted(ids)[:100],
            })
            all_ok &= bool(r.success)
    return ValidationReport(all_ok, results)


def _expectation(gx: object, spec: dict) -> object:
    """GX expectation class from its snake_case type name (expect_column_... -> ExpectColumn...)."""
    cls_name = "".join(part.capitalize() for part in spec["type"].split("_"))
    return getattr(gx.expectations, cls_name)(**spec["kwargs"])
