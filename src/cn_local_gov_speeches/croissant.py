"""Croissant metadata (croissant.json) for the dataset folder, built with `mlcroissant` from the schema."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
from pathlib import Path

import mlcroissant as mlc

from .config import ProjectInfo
from .schema import FieldSpec, fields_for

_DATA_TYPES = {
    "string": mlc.DataType.TEXT,
    "int32": mlc.DataType.INT32,
    "float32": mlc.DataType.FLOAT32,
    "bool": mlc.DataType.BOOL,
    "date32": mlc.DataType.DATE,
    "list<string>": mlc.DataType.TEXT,
}
_MARKER_SUBFIELDS = (("kind", mlc.DataType.TEXT), ("marker", mlc.DataType.TEXT), ("count", mlc.DataType.INT32))
_LICENSE_URLS = {"CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/"}


def _field(config: str, spec: FieldSpec, file_set: str) -> mlc.Field:
    fid = f"{config}/{spec.name}"
    source = mlc.Source(file_set=file_set, extract=mlc.Extract(column=spec.name))
    if spec.type == "list<marker>":
        subs = [
            mlc.Field(id=f"{fid}/{name}", name=name, data_types=[dtype],
                      source=mlc.Source(file_set=file_set, extract=mlc.Extract(column=spec.name),
                                        transforms=[mlc.Transform(json_path=name)]))
            for name, dtype in _MARKER_SUBFIELDS
        ]
        return mlc.Field(id=fid, name=spec.name, description=spec.description, is_array=True, sub_fields=subs,
                         source=source)
    return mlc.Field(id=fid, name=spec.name, description=spec.description, data_types=[_DATA_TYPES[spec.type]],
                     is_array=True if spec.type.startswith("list") else None, source=source)


def croissant_json(info: ProjectInfo, configs: list[str], folder: Path, citation: str) -> dict:
    """JSON-LD for the folder; README.md is listed with its SHA-256, Parquet files by glob."""
    out = copy.deepcopy(_croissant(info, tuple(configs), citation))
    readme = out["distribution"][0]
    assert readme["@id"] == "readme" and readme["sha256"] == _PLACEHOLDER
    readme["sha256"] = hashlib.sha256((folder / "README.md").read_bytes()).hexdigest()
    return out


_PLACEHOLDER = "0" * 64


@functools.cache
def _croissant(info: ProjectInfo, configs: tuple[str, ...], citation: str) -> dict:
    """All but the README's hash (mlcroissant takes ~0.3 s to make it: once per process)."""
    distribution: list = [
        mlc.FileObject(id="readme", name="README.md", content_url="README.md", encoding_formats=["text/markdown"],
                       sha256=_PLACEHOLDER),
    ]
    record_sets = []
    for config in configs:
        file_set = f"{config}-parquet"
        distribution.append(mlc.FileSet(id=file_set, name=file_set, encoding_formats=["application/x-parquet"],
                                        includes=[f"data/{config}/*.parquet"]))
        record_sets.append(mlc.RecordSet(
            id=config, name=config, key=[f"{config}/doc_id"],
            fields=[_field(config, f, file_set) for f in fields_for(config)],
        ))
    metadata = mlc.Metadata(
        name=info.name,
        description="Chinese local-government speeches: cleaned texts with region, date, script, redaction, "
                    "source and duplicate metadata, each with its evidence.",
        url=info.repository,
        license=[_LICENSE_URLS.get(info.license_spdx, info.license_spdx)],
        version=info.version,
        date_published=dt.datetime.fromisoformat(info.release_date),
        in_language=["zh"],
        cite_as=citation,
        creators=[mlc.Person(name=a) for a in info.authors],
        distribution=distribution,
        record_sets=record_sets,
    )
    return metadata.to_json()
