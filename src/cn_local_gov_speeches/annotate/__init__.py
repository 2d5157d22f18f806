"""Annotate stage: derive metadata columns from the cleaned, normalized text.

Annotators only read text and emit column values with their evidence; they never rewrite `text`.
Order matters once: the date comes before the region, because historical units resolve by year.
"""

from __future__ import annotations

import hashlib

from ..clean import Cleaned
from ..profiles import Profiles
from ..record import Document, evolve
from . import dates, redaction, region, script, source

# Versions of the annotators, recorded in the build report; bump when a rule changes output.
ANNOTATOR_VERSIONS = {
    "script": "script_opencc_v1",
    "source": "source_profiles_v2",
    "redaction": "redaction_v3",
    "dates": "date_extract_v3",
    "region": "region_gazetteer_v3",
}


def annotate(doc: Document, cleaned: Cleaned, profiles: Profiles, shown: str | None = None) -> Document:
    """Fill every metadata column of a document whose `text`, `title` and `furniture` are set;
    `shown` is the text the cleaner read (a web page's shown text; `raw_text` by default)."""
    label = script.script_label(doc.text)
    simplified = script.to_simplified(doc.text, label)
    title_s = script.to_simplified(doc.title, label) if doc.title else None
    furniture_s = tuple(script.to_simplified(f, label) for f in cleaned.furniture)
    removed_s = tuple(script.to_simplified(r.plain, label) for r in cleaned.removals)
    under_title_s = tuple(script.to_simplified(f, label) for f in cleaned.under_title)
    closing_s = tuple(script.to_simplified(f, label) for f in cleaned.closing)
    # (the lines above the title: a web page's own title over the speech's, "2023年全县经济工作会议讲话")
    above_s = tuple(f for f, rule in zip(furniture_s, cleaned.furniture_rules, strict=True)
                    if rule == "generic:above_title")
    n_han = script.count_han(doc.text)

    # Masks in the title and the furniture count too ("X区长在…的讲话", a byline "县长 ＊＊＊"); the
    # level is relative to the body's length.
    markers = redaction.find_markers("\n".join(filter(None, (doc.title, *cleaned.furniture, doc.text))))
    src = source.find_source(doc.raw_text if shown is None else shown, furniture_s, profiles, removed_s)
    when = dates.extract_dates(title_s, simplified, furniture_s, removed_s, under_title_s, closing_s, above_s)
    # Units resolve by the speech's year; a publication year bounds it when the speech gives none.
    known = when.date or when.published_date
    year = known.year if known else None
    where = region.extract_region(title_s, simplified, furniture_s, year, removed_s, above_s)

    return evolve(
        doc,
        text_simplified=simplified,
        text_sha256=hashlib.sha256(simplified.encode("utf-8")).hexdigest(),
        n_chars=len(doc.text),
        n_han=n_han,
        script=label,
        region_province=where.province,
        region_prefecture=where.prefecture,
        region_county=where.county,
        region_code=where.code,
        region_level=where.level,
        region_status=where.status,
        region_evidence=where.evidence,
        date=when.date,
        date_precision=when.precision,
        date_status=when.status,
        date_evidence=when.evidence,
        published_date=when.published_date,
        published_date_evidence=when.published_evidence,
        source_site=src.site,
        source_kind=src.kind,
        source_evidence=src.evidence,
        redaction_level=redaction.redaction_level(markers, n_han),
        redaction_markers=markers,
        is_truncated=cleaned.truncation_notice or redaction.ends_mid_sentence(doc.text),
        hidden_chars=cleaned.hidden_chars,
    )


# The columns `explain` prints, each with the column holding its evidence.
_EXPLAINED = (
    ("title", None), ("script", None),
    ("region_code", "region_evidence"), ("region_status", None),
    ("date", "date_evidence"), ("date_precision", None), ("date_status", None),
    ("published_date", "published_date_evidence"),
    ("source_site", "source_evidence"), ("source_kind", None),
    ("redaction_level", None), ("is_truncated", None), ("hidden_chars", None),
)


def explain(doc: Document) -> str:
    """The metadata of one annotated document with the evidence of each value (for `explain FILE`).
    What the whole corpus decides (duplicate groups, values inherited from a canonical copy) is not
    known for one file."""
    region = "/".join(filter(None, (doc.region_province, doc.region_prefecture, doc.region_county)))
    out = ["metadata (this file alone; duplicates and inherited values are decided by the build):"]
    for column, evidence in _EXPLAINED:
        value = getattr(doc, column)
        if column == "region_code" and value is not None:
            value = f"{value} {region} ({doc.region_level})"
        line = f"  {column}: {value}"
        if evidence is not None and getattr(doc, evidence):
            line += f"   <- {getattr(doc, evidence)}"
        out.append(line)
    markers = ", ".join(f"{m.marker} ({m.kind}) x{m.count}" for m in doc.redaction_markers)
    out.append(f"  redaction_markers: {markers or 'none'}")
    return "\n".join(out)
