"""Load the column definitions in `schema/fields.yaml` and derive everything else from them.

The Arrow schema of each config, the card's `features` and field table, and the Great Expectations
suite are pure functions of the `FieldSpec` tuple returned by `load_fields()`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from .config import PROJECT_ROOT, read_yaml

FIELDS_FILE = PROJECT_ROOT / "schema" / "fields.yaml"
CONFIGS = ("documents", "canonical", "raw")
DEFAULT_CONFIGS = ("documents", "canonical")

MARKER_TYPE = pa.struct([("kind", pa.string()), ("marker", pa.string()), ("count", pa.int32())])
ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "int32": pa.int32(),
    "float32": pa.float32(),
    "bool": pa.bool_(),
    "date32": pa.date32(),
    "list<string>": pa.list_(pa.string()),
    "list<marker>": pa.list_(MARKER_TYPE),
}
_KEYS = {"name", "type", "description", "nullable", "values", "pattern", "unique", "min", "max", "configs"}


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    type: str
    description: str
    nullable: bool = True
    values: tuple[str, ...] | None = None
    pattern: str | None = None
    unique: bool = False
    min: float | None = None
    max: float | None = None
    configs: tuple[str, ...] = DEFAULT_CONFIGS

    @property
    def arrow_type(self) -> pa.DataType:
        return ARROW_TYPES[self.type]


def _parse_field(raw: dict) -> FieldSpec:
    unknown = set(raw) - _KEYS
    if unknown:
        raise ValueError(f"schema field {raw.get('name')!r}: unknown keys {sorted(unknown)}")
    if raw["type"] not in ARROW_TYPES:
        raise ValueError(f"schema field {raw['name']!r}: unknown type {raw['type']!r}")
    if raw.get("pattern"):
        re.compile(raw["pattern"])
    configs = tuple(raw.get("configs", DEFAULT_CONFIGS))
    if set(configs) - set(CONFIGS):
        raise ValueError(f"schema field {raw['name']!r}: unknown configs {configs}")
    return FieldSpec(
        name=raw["name"],
        type=raw["type"],
        description=raw["description"].strip(),
        nullable=bool(raw.get("nullable", True)),
        values=tuple(raw["values"]) if raw.get("values") else None,
        pattern=raw.get("pattern"),
        unique=bool(raw.get("unique", False)),
        min=raw.get("min"),
        max=raw.get("max"),
        configs=configs,
    )


@functools.cache
def load_fields(path: Path = FIELDS_FILE) -> tuple[FieldSpec, ...]:
    data = read_yaml(path)
    fields = tuple(_parse_field(f) for f in data["fields"])
    names = [f.name for f in fields]
    if len(names) != len(set(names)):
        raise ValueError("schema: duplicate field names")
    return fields


def fields_for(config: str) -> tuple[FieldSpec, ...]:
    return tuple(f for f in load_fields() if config in f.configs)


def arrow_schema(config: str) -> pa.Schema:
    """Arrow schema of one config; each field carries its description as metadata."""
    return pa.schema(
        [
            pa.field(f.name, f.arrow_type, nullable=f.nullable, metadata={"description": f.description})
            for f in fields_for(config)
        ]
    )


def field_table_markdown() -> str:
    """The card's field table (documents config), generated so that it cannot drift."""
    rows = ["| column | type | nullable | description |", "|---|---|---|---|"]
    for f in fields_for("documents"):
        desc = f.description
        if f.values:
            desc += " Values: " + ", ".join(f"`{v}`" for v in f.values) + "."
        rows.append(f"| `{f.name}` | {f.type} | {'yes' if f.nullable else 'no'} | {desc} |")
    return "\n".join(rows)
