"""Full-text and faceted catalog search.

SQLite: each process keeps an in-memory FTS5 index derived from `catalog_dataset` (the index is a cache:
it refreshes the rows whose `search_seq` moved since its last look, so it is never stale by more than
the current request). PostgreSQL: a GIN-indexed tsvector column, queried in the database.
Facets: modality, ICD-10 chapter, state, tier, size band, institution.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from medkosh.errors import InputError
from medkosh.store.tables.catalog import CatalogDatasetRow, CatalogFacetRow

FACETS = ("modality", "chapter", "state", "tier", "size", "institution")
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_LIMIT = 100

# ICD-10 (WHO 2019) chapters by the first three characters of a code.
_CHAPTERS: tuple[tuple[str, str, str], ...] = (
    ("A00", "B99", "I"), ("C00", "D48", "II"), ("D50", "D89", "III"), ("E00", "E90", "IV"), ("F00", "F99", "V"),
    ("G00", "G99", "VI"), ("H00", "H59", "VII"), ("H60", "H95", "VIII"), ("I00", "I99", "IX"), ("J00", "J99", "X"),
    ("K00", "K93", "XI"), ("L00", "L99", "XII"), ("M00", "M99", "XIII"), ("N00", "N99", "XIV"),
    ("O00", "O99", "XV"), ("P00", "P96", "XVI"), ("Q00", "Q99", "XVII"), ("R00", "R99", "XVIII"),
    ("S00", "T98", "XIX"), ("V01", "Y98", "XX"), ("Z00", "Z99", "XXI"), ("U00", "U99", "XXII"),
)
_SIZE_BANDS = ((1 << 20, "<1 MB"), (100 << 20, "1-100 MB"), (10 << 30, "100 MB-10 GB"))


def icd10_chapter(code: str) -> str | None:
    head = code[:3].upper()
    for low, high, chapter in _CHAPTERS:
        if low <= head <= high:
            return chapter
    return None


def size_band(size: int) -> str:
    for limit, label in _SIZE_BANDS:
        if size < limit:
            return label
    return ">10 GB"


def document_fields(row: CatalogDatasetRow) -> dict[str, Any]:
    conditions: list[str] = orjson.loads(row.conditions)
    states: list[str] = orjson.loads(row.states)
    keywords: list[str] = orjson.loads(row.metadata_json).get("keywords", [])
    facets = {("modality", row.modality), ("tier", row.tier), ("institution", row.institution),
              ("size", size_band(row.size_bytes or 0))}
    facets |= {("chapter", c) for c in (icd10_chapter(x) for x in conditions) if c}
    facets |= {("state", s) for s in states}
    body = " ".join([row.name, row.description, row.steward, row.institution, *conditions, *states, *keywords])
    return {"text": body, "facets": facets}


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    limit: int = 20
    offset: int = 0

    def __post_init__(self) -> None:
        unknown = set(self.filters) - set(FACETS)
        if unknown:
            raise InputError(f"unknown search facet(s): {', '.join(sorted(unknown))}",
                             hint=f"facets: {', '.join(FACETS)}")
        if not 1 <= self.limit <= MAX_LIMIT or self.offset < 0:
            raise InputError(f"limit must be 1-{MAX_LIMIT} and offset 0 or more")

    @property
    def words(self) -> list[str]:
        return [w.lower() for w in _WORD.findall(self.text)][:16]


@dataclass
class SearchResult:
    total: int
    hits: list[dict[str, Any]]
    facets: dict[str, dict[str, int]]
    engine: str

    def as_dict(self) -> dict[str, Any]:
        return {"total": self.total, "hits": self.hits, "facets": self.facets, "engine": self.engine}


def update_vector(session: Session, row: CatalogDatasetRow) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.flush()
        session.execute(text("UPDATE catalog_dataset SET search_tsv = to_tsvector('simple', search_text) "
                             "WHERE id = :id"), {"id": row.id})


_HIT_COLUMNS = ("id", "name", "description", "modality", "tier", "institution", "latest_number", "size_bytes")


def _hit(values: tuple[Any, ...]) -> dict[str, Any]:
    hit = dict(zip(_HIT_COLUMNS, values, strict=True))
    if len(hit["description"]) > 240:
        hit["description"] = hit["description"][:237] + "…"
    return hit


def _facet_counts(rows: list[tuple[str, str, int]]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {f: {} for f in FACETS}
    for facet, value, count in rows:
        out.setdefault(facet, {})[value] = int(count)
    return {f: dict(sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))) for f, v in out.items()}


class FtsIndex:
    """An in-memory SQLite FTS5 index of the catalog, refreshed incrementally from the database."""

    def __init__(self) -> None:
        self.conn = sqlite3.connect(":memory:", check_same_thread=False)
        self.lock = threading.Lock()
        self.seq = 0
        self.conn.executescript("""
            CREATE VIRTUAL TABLE docs USING fts5(body, tokenize='unicode61 remove_diacritics 2');
            CREATE TABLE meta(rid INTEGER PRIMARY KEY, id TEXT UNIQUE, name TEXT, description TEXT,
                              modality TEXT, tier TEXT, institution TEXT, latest_number INT, size_bytes INT);
            CREATE TABLE facets(rid INTEGER, facet TEXT, value TEXT);
            CREATE INDEX facets_fv ON facets(facet, value, rid);
            CREATE INDEX facets_rid ON facets(rid);
        """)

    def refresh(self, session: Session) -> None:
        latest = session.execute(select(func.max(CatalogDatasetRow.search_seq))).scalar_one() or 0
        if latest <= self.seq:
            return
        rows = session.execute(select(CatalogDatasetRow.id, CatalogDatasetRow.name, CatalogDatasetRow.description,
                                      CatalogDatasetRow.modality, CatalogDatasetRow.tier,
                                      CatalogDatasetRow.institution, CatalogDatasetRow.latest_number,
                                      CatalogDatasetRow.size_bytes, CatalogDatasetRow.search_text)
                               .where(CatalogDatasetRow.search_seq > self.seq)).all()
        ids = [r[0] for r in rows]
        facets: dict[str, list[tuple[str, str]]] = {}
        for start in range(0, len(ids), 500):
            for did, facet, value in session.execute(
                    select(CatalogFacetRow.dataset_id, CatalogFacetRow.facet, CatalogFacetRow.value)
                    .where(CatalogFacetRow.dataset_id.in_(ids[start:start + 500]))).all():
                facets.setdefault(did, []).append((facet, value))
        with self.lock, self.conn:
            for r in rows:
                old = self.conn.execute("SELECT rid FROM meta WHERE id = ?", (r[0],)).fetchone()
                if old:
                    self.conn.execute("DELETE FROM docs WHERE rowid = ?", old)
                    self.conn.execute("DELETE FROM facets WHERE rid = ?", old)
                    self.conn.execute("DELETE FROM meta WHERE rid = ?", old)
                rid = self.conn.execute("INSERT INTO meta(id, name, description, modality, tier, institution, "
                                        "latest_number, size_bytes) VALUES (?,?,?,?,?,?,?,?)", r[:8]).lastrowid
                self.conn.execute("INSERT INTO docs(rowid, body) VALUES (?, ?)", (rid, r[8]))
                self.conn.executemany("INSERT INTO facets VALUES (?,?,?)",
                                      [(rid, f, v) for f, v in facets.get(r[0], [])])
            self.seq = latest

    def search(self, q: SearchQuery) -> SearchResult:
        where, params = [], []
        if q.words:
            where.append("m.rid IN (SELECT rowid FROM docs WHERE docs MATCH ?)")
            params.append(" ".join(f'"{w}"*' for w in q.words))
        for facet, values in sorted(q.filters.items()):
            if values:
                marks = ",".join("?" * len(values))
                where.append(f"m.rid IN (SELECT rid FROM facets WHERE facet = ? AND value IN ({marks}))")
                params.extend([facet, *values])
        clause = " AND ".join(where) or "1=1"
        order = "ORDER BY bm25(docs), m.id" if q.words else "ORDER BY m.id"
        source = "meta m JOIN docs ON docs.rowid = m.rid" if q.words else "meta m"
        if q.words:  # bm25() needs the MATCH in the same query as the docs table
            clause = clause.replace("m.rid IN (SELECT rowid FROM docs WHERE docs MATCH ?)", "docs MATCH ?", 1)
        cols = ", ".join(f"m.{c}" for c in _HIT_COLUMNS)
        with self.lock:
            total = self.conn.execute(f"SELECT count(*) FROM {source} WHERE {clause}", params).fetchone()[0]
            hits = self.conn.execute(f"SELECT {cols} FROM {source} WHERE {clause} {order} LIMIT ? OFFSET ?",
                                     [*params, q.limit, q.offset]).fetchall()
            counts = self.conn.execute(
                f"SELECT f.facet, f.value, count(*) FROM facets f WHERE f.rid IN "
                f"(SELECT m.rid FROM {source} WHERE {clause}) GROUP BY f.facet, f.value", params).fetchall()
        return SearchResult(int(total), [_hit(h) for h in hits], _facet_counts(counts), "sqlite-fts5")


_indexes: dict[str, FtsIndex] = {}
_indexes_lock = threading.Lock()


def _fts_for(session: Session) -> FtsIndex:
    url = str(session.get_bind().engine.url)
    with _indexes_lock:
        index = _indexes.get(url)
        if index is None:
            index = _indexes[url] = FtsIndex()
    return index


def _search_postgres(session: Session, q: SearchQuery) -> SearchResult:
    where, params = ["true"], {}
    if q.words:
        where.append("d.search_tsv @@ to_tsquery('simple', :tsq)")
        params["tsq"] = " & ".join(f"{w}:*" for w in q.words)
    for i, (facet, values) in enumerate(sorted(q.filters.items())):
        if values:
            where.append(f"EXISTS (SELECT 1 FROM catalog_facet f{i} WHERE f{i}.dataset_id = d.id "
                         f"AND f{i}.facet = :facet{i} AND f{i}.value = ANY(:values{i}))")
            params[f"facet{i}"], params[f"values{i}"] = facet, list(values)
    clause = " AND ".join(where)
    rank = "ts_rank(d.search_tsv, to_tsquery('simple', :tsq)) DESC, " if q.words else ""
    cols = ", ".join(f"d.{c}" for c in _HIT_COLUMNS)
    total = session.execute(text(f"SELECT count(*) FROM catalog_dataset d WHERE {clause}"), params).scalar_one()
    hits = session.execute(text(f"SELECT {cols} FROM catalog_dataset d WHERE {clause} ORDER BY {rank}d.id "
                                "LIMIT :limit OFFSET :offset"), {**params, "limit": q.limit, "offset": q.offset})
    counts = session.execute(text(f"SELECT f.facet, f.value, count(*) FROM catalog_facet f JOIN catalog_dataset d "
                                  f"ON d.id = f.dataset_id WHERE {clause} GROUP BY f.facet, f.value"), params)
    return SearchResult(int(total), [_hit(tuple(h)) for h in hits], _facet_counts([tuple(c) for c in counts]),
                        "postgresql-fts")


def search(session: Session, q: SearchQuery) -> SearchResult:
    if session.get_bind().dialect.name == "postgresql":
        return _search_postgres(session, q)
    index = _fts_for(session)
    index.refresh(session)
    return index.search(q)


def parse_filters(pairs: list[str]) -> dict[str, list[str]]:
    """`facet=value` strings (CLI --facet, query parameters) to a filter mapping."""
    out: dict[str, list[str]] = {}
    for pair in pairs:
        facet, sep, value = pair.partition("=")
        if not sep or not value:
            raise InputError(f"not a facet filter: {pair!r}", hint="write facet=value, e.g. modality=notes")
        out.setdefault(facet.strip(), []).append(value.strip())
    return out
