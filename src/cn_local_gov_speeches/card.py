"""The dataset card (README.md of the dist folder): YAML header generated from the schema and the
build, prose from the top-level `dataset_card.md` template with `{{placeholders}}` filled in.
"""

from __future__ import annotations

import functools
import operator
import re
from collections import Counter
from collections.abc import Sequence

import pyarrow as pa
import yaml

from .config import ProjectInfo, read_yaml
from .record import Document, Rejection
from .schema import CONFIGS, PROJECT_ROOT, arrow_schema, field_table_markdown
from .tables import TableSummary

TEMPLATE = PROJECT_ROOT / "dataset_card.md"
# Each config's HF `features`, generated from the schema by `datasets` (`build_dataset.py generate`)
# and committed, like the validation suites: a build reads them instead of importing `datasets`
# (~0.7 s of CPU), and a test checks they equal what the pinned `datasets` makes now.
FEATURES_FILE = PROJECT_ROOT / "schema" / "hf_features.generated.yaml"
_FEATURES_NOTE = "# Generated from fields.yaml by `python build_dataset.py generate`; do not edit.\n"

# libyaml's emitter when PyYAML was built with it: the same text as the pure-Python one (checked
# by the committed cards), ~10x faster (~10 ms of a 10k rebuild's card).
YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


def size_category(n: int) -> str:
    for limit, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if n < limit:
            return label
    return "1M<n<10M"


def features_yaml(schema: pa.Schema) -> list[dict]:
    """HF `features` exactly as `datasets` serializes them, so YAML and Parquet cannot disagree."""
    from datasets import Features

    return Features.from_arrow_schema(schema)._to_yaml_list()


def render_features() -> str:
    """The text of FEATURES_FILE: every config's `features_yaml`, in schema order."""
    features = {config: features_yaml(arrow_schema(config)) for config in CONFIGS}
    return _FEATURES_NOTE + yaml.safe_dump(features, allow_unicode=True, sort_keys=False, width=100)


def write_features() -> None:
    FEATURES_FILE.write_text(render_features(), encoding="utf-8")


@functools.cache
def committed_features() -> dict[str, list[dict]]:
    return read_yaml(FEATURES_FILE)


def _features(config: str, schema: pa.Schema) -> list[dict]:
    """`features_yaml(schema)`, from FEATURES_FILE when `schema` is the config's published one."""
    return committed_features()[config] if schema.equals(arrow_schema(config)) else features_yaml(schema)


def yaml_header(info: ProjectInfo, tables: dict[str, TableSummary], data_files: dict[str, str]) -> str:
    header = {
        "pretty_name": "Chinese Local-Government Speeches",
        "license": info.license_hf,
        "language": ["zh"],
        "multilinguality": ["monolingual"],
        "size_categories": [size_category(tables["documents"].num_rows)],
        "task_categories": ["text-classification", "text-generation"],
        "tags": ["political-science", "computational-social-science", "china", "local-government", "speeches"],
        "version": info.version,
        "configs": [
            {"config_name": c, **({"default": True} if c == "documents" else {}),
             "data_files": [{"split": "train", "path": data_files[c]}]}
            for c in tables
        ],
        "dataset_info": [
            {"config_name": c, "features": _features(c, t.schema),
             "splits": [{"name": "train", "num_bytes": int(t.nbytes), "num_examples": t.num_rows}]}
            for c, t in tables.items()
        ],
    }
    return yaml.dump(header, Dumper=YAML_DUMPER, allow_unicode=True, sort_keys=False, width=100)


def _count_table(counter: Counter, heading: str) -> str:
    rows = [f"| {heading} | rows |", "|---|---|"]
    rows += [f"| {k} | {v} |" for k, v in sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))]
    return "\n".join(rows)


_COUNTED = ("script", "region_status", "date_status", "source_kind", "redaction_level")


def statistics(docs: Sequence[Document], rejections: Sequence[Rejection]) -> str:
    canonical = [d for d in docs if d.is_canonical]
    columns = zip(*map(operator.attrgetter(*_COUNTED), docs), strict=True) if docs else [()] * len(_COUNTED)
    parts = [
        f"- documents (every copy): **{len(docs)}**; distinct speeches (canonical): **{len(canonical)}**; "
        f"quarantined inputs: **{len(rejections)}**",
        f"- Han characters in canonical texts: **{sum(d.n_han for d in canonical):,}**",
    ]
    for name, values in zip(_COUNTED, columns, strict=True):  # one pass over the documents for all five
        parts += ["", _count_table(Counter(values), name)]
    return "\n".join(parts)


def render_card(info: ProjectInfo, tables: dict[str, TableSummary], data_files: dict[str, str],
                values: dict[str, str]) -> str:
    """Fill the template; an unknown placeholder is an error, not a silent blank."""
    values = {"version": info.version, "release_date": info.release_date, "license": info.license_spdx,
              "repository": info.repository, "field_table": field_table_markdown(),
              "version_slug": info.version.replace(".", "_"), "release_year": info.release_date[:4], **values}

    def fill(m: re.Match[str]) -> str:
        if m.group(1) not in values:
            raise KeyError(f"dataset_card.md: unknown placeholder {{{{{m.group(1)}}}}}")
        return values[m.group(1)]

    body = _PLACEHOLDER.sub(fill, TEMPLATE.read_text(encoding="utf-8"))
    return f"---\n{yaml_header(info, tables, data_files)}---\n\n{body}"
