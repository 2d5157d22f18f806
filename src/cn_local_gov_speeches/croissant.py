"""Croissant metadata (croissant.json) for the dataset folder, built with `mlcroissant` from the schema.

Importing mlcroissant costs ~1 s of CPU (it loads pandas, networkx, rdflib), in the build's process,
for a document that changes only with the project's metadata and the schema. So `build_dataset.py
generate` keeps mlcroissant's output in TEMPLATE_FILE, with a digest of everything it was made from
(this module's source, mlcroissant's version, the project info, configs, citation and fields); a build
whose inputs have that digest takes it from there, any other makes it with mlcroissant as before.
A test checks that the file equals what mlcroissant makes now.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import functools
import hashlib
import importlib.metadata
import json
from pathlib import Path
from typing import TYPE_CHECKING

from .config import ProjectInfo
from .schema import CONFIGS, FieldSpec, fields_for

if TYPE_CHECKING:
    import mlcroissant as mlc

TEMPLATE_FILE = Path(__file__).with_name("croissant.generated.json")
_LICENSE_URLS = {"CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/"}
# Schema types -> names of `mlcroissant.DataType` members (mlcroissant is imported only to use them).
_DATA_TYPES = {"string": "TEXT", "int32": "INT32", "float32": "FLOAT32", "bool": "BOOL", "date32": "DATE",
               "list<string>": "TEXT"}
_MARKER_SUBFIELDS = (("kind", "TEXT"), ("marker", "TEXT"), ("count", "INT32"))


def _field(config: str, spec: FieldSpec, file_set: str) -> mlc.Field:
    import mlcroissant as mlc

    fid = f"{config}/{spec.name}"
    source = mlc.Source(file_set=file_set, extract=mlc.Extract(column=spec.name))
    if spec.type == "list<marker>":
        subs = [
            mlc.Field(id=f"{fid}/{name}", name=name, data_types=[getattr(mlc.DataType, dtype)],
                      source=mlc.Source(file_set=file_set, extract=mlc.Extract(column=spec.name),
                                        transforms=[mlc.Transform(json_path=name)]))
            for name, dtype in _MARKER_SUBFIELDS
        ]
        return mlc.Field(id=fid, name=spec.name, description=spec.description, is_array=True, sub_fields=subs,
                         source=source)
    return mlc.Field(id=fid, name=spec.name, description=spec.description,
                     data_types=[getattr(mlc.DataType, _DATA_TYPES[spec.type])],
                     is_array=True if spec.type.startswith("list") else None, source=source)


def croissant_json(info: ProjectInfo, configs: list[str], folder: Path, citation: str) -> dict:
    """JSON-LD for the folder; README.md is listed with its SHA-256, Parquet files by glob."""
    out = copy.deepcopy(_metadata(info, tuple(configs), citation))
    readme = out["distribution"][0]
    assert readme["@id"] == "readme" and readme["sha256"] == _PLACEHOLDER
    readme["sha256"] = hashlib.sha256((folder / "README.md").read_bytes()).hexdigest()
    return out


_PLACEHOLDER = "0" * 64


@functools.cache
def _metadata(info: ProjectInfo, configs: tuple[str, ...], citation: str) -> dict:
    """All but the README's hash: TEMPLATE_FILE's when made from these inputs, else mlcroissant's."""
    digest = _inputs_digest(info, configs, citation)
    try:
        template = json.loads(TEMPLATE_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        template = None
    if isinstance(template, dict) and template.get("inputs_sha256") == digest:
        return template["jsonld"]
    return _croissant(info, configs, citation)


def _inputs_digest(info: ProjectInfo, configs: tuple[str, ...], citation: str) -> str:
    """SHA-256 of what `_croissant` makes its output from, this module's code included."""
    try:
        version = importlib.metadata.version("mlcroissant")
    except importlib.metadata.PackageNotFoundError:
        version = None
    inputs = {
        "module_sha256": hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
        "mlcroissant": version,
        "info": dataclasses.asdict(info),
        "configs": list(configs),
        "citation": citation,
        "fields": {c: [[f.name, f.type, f.description] for f in fields_for(c)] for c in configs},
    }
    return hashlib.sha256(json.dumps(inputs, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def render_template(info: ProjectInfo, citation: str) -> str:
    """TEMPLATE_FILE's text: mlcroissant's output now for `info` and every config."""
    template = {"inputs_sha256": _inputs_digest(info, CONFIGS, citation),
                "jsonld": _croissant(info, CONFIGS, citation)}
    return json.dumps(template, ensure_ascii=False, indent=1) + "\n"


def write_template(info: ProjectInfo, citation: str) -> None:
    TEMPLATE_FILE.write_text(render_template(info, citation), encoding="utf-8")


def _croissant(info: ProjectInfo, configs: tuple[str, ...], citation: str) -> dict:
    """All but the README's hash, made by mlcroissant (~0.3 s after its import)."""
    import mlcroissant as mlc

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
