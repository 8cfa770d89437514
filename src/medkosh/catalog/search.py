"""Full-text and faceted catalog search.

Words: on SQLite an in-memory FTS5 index per process; on PostgreSQL the GIN-indexed `search_tsv`
column (full-text search in the database). Facets (modality, ICD-10 chapter, state, tier, size band,
institution) and hit columns: bitmaps in the same per-process index on both backends, so filtering and
counting every facet value cost a few vector operations. The index is a cache of `catalog_dataset`: it
refreshes the rows whose `search_seq` moved since its last look, so it is never stale by more than the
current request.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
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
    """An in-memory catalog index, refreshed incrementally from the database: SQLite FTS5 (with prefix
    indexes) answers the words; facets are bitmaps over row slots, so filtering and counting every facet
    value of a result set are a few vector operations whatever the catalog size."""

    def __init__(self, with_fts: bool = True) -> None:
        # On PostgreSQL the words are matched by the database's full-text index; only the facet bitmaps and
        # hit columns are kept here.
        self.with_fts = with_fts
        self.conn = sqlite3.connect(":memory:", check_same_thread=False)
        self.conn.execute("CREATE VIRTUAL TABLE docs USING fts5(body, tokenize='unicode61 remove_diacritics 2', "
                          "prefix='2 3 4')")
        self.lock = threading.Lock()
        self.seq = 0
        self.slot: dict[str, int] = {}                # dataset id -> slot (= FTS rowid)
        self.hits: list[tuple[Any, ...]] = []         # slot -> hit columns
        self.facets_of: list[list[tuple[str, str]]] = []
        self.bitmaps: dict[tuple[str, str], np.ndarray] = {}
        self.alive = np.zeros(0, dtype=bool)
        self.by_id = np.zeros(0, dtype=np.int64)      # slots in dataset-id order

    def _grow(self, size: int) -> None:
        if size <= len(self.alive):
            return
        cap = max(size, 2 * len(self.alive), 1024)
        self.alive = np.concatenate([self.alive, np.zeros(cap - len(self.alive), dtype=bool)])
        for key, bits in self.bitmaps.items():
            self.bitmaps[key] = np.concatenate([bits, np.zeros(cap - len(bits), dtype=bool)])

    def refresh(self, session: Session) -> None:
        latest = session.execute(select(func.max(CatalogDatasetRow.search_seq))).scalar_one() or 0
        if latest <= self.seq:
            return
        cols = [getattr(CatalogDatasetRow, c) for c in _HIT_COLUMNS]
        rows = session.execute(select(*cols, CatalogDatasetRow.search_text)
                               .where(CatalogDatasetRow.search_seq > self.seq)).all()
        ids = [r[0] for r in rows]
        facets: dict[str, list[tuple[str, str]]] = {}
        for start in range(0, len(ids), 500):
            for did, facet, value in session.execute(
                    select(CatalogFacetRow.dataset_id, CatalogFacetRow.facet, CatalogFacetRow.value)
                    .where(CatalogFacetRow.dataset_id.in_(ids[start:start + 500]))).all():
                facets.setdefault(did, []).append((facet, value))
        with self.lock, self.conn:
            self._grow(len(self.slot) + len(rows))
            for r in rows:
                slot = self.slot.get(r[0])
                if slot is None:
                    slot = self.slot[r[0]] = len(self.hits)
                    self.hits.append(tuple(r[:-1]))
                    self.facets_of.append([])
                else:
                    self.hits[slot] = tuple(r[:-1])
                    if self.with_fts:
                        self.conn.execute("DELETE FROM docs WHERE rowid = ?", (slot,))
                    for key in self.facets_of[slot]:
                        self.bitmaps[key][slot] = False
                if self.with_fts:
                    self.conn.execute("INSERT INTO docs(rowid, body) VALUES (?, ?)", (slot, r[-1]))
                self.facets_of[slot] = facets.get(r[0], [])
                for key in self.facets_of[slot]:
                    bits = self.bitmaps.get(key)
                    if bits is None:
                        bits = self.bitmaps[key] = np.zeros(len(self.alive), dtype=bool)
                    bits[slot] = True
                self.alive[slot] = True
            order = sorted(self.slot.items())
            self.by_id = np.fromiter((slot for _, slot in order), dtype=np.int64, count=len(order))
            self.seq = latest

    def _rank(self, words: list[str], mask: np.ndarray) -> np.ndarray:
        """Matches whose name holds more of the query words first, then in catalog (id) order. BM25 over
        every match costs ~10 µs a document, too much for broad queries on a 10,000-entry catalog."""
        order = self.by_id[mask[self.by_id]]
        names = [str(self.hits[int(slot)][1]).lower() for slot in order]
        score = np.fromiter((sum(w in name for w in words) for name in names), dtype=np.int64, count=len(names))
        return order[np.argsort(-score, kind="stable")]

    def search(self, q: SearchQuery, matched_ids: list[str] | None = None, engine: str = "sqlite-fts5") -> SearchResult:
        """Answer a query; `matched_ids` are the datasets a database full-text search matched (PostgreSQL),
        else the words are matched here with FTS5."""
        with self.lock:
            mask = self.alive.copy()
            ranked: np.ndarray | None = None
            if q.words:
                if matched_ids is not None:
                    slots = [self.slot[i] for i in matched_ids if i in self.slot]
                else:
                    match = " ".join(f'"{w}"*' for w in q.words)
                    slots = [r[0] for r in self.conn.execute("SELECT rowid FROM docs WHERE docs MATCH ?", (match,))]
                text = np.zeros(len(mask), dtype=bool)
                text[np.fromiter(slots, dtype=np.int64, count=len(slots))] = True
                mask &= text
                ranked = self._rank(q.words, mask)
            for facet, values in q.filters.items():
                if values:
                    any_of = np.zeros(len(mask), dtype=bool)
                    for value in values:
                        bits = self.bitmaps.get((facet, value))
                        if bits is not None:
                            any_of |= bits
                    mask &= any_of
            order = ranked if ranked is not None else self.by_id
            chosen = order[mask[order]]
            page = chosen[q.offset:q.offset + q.limit]
            hits = [_hit(self.hits[int(slot)]) for slot in page]
            counts = [(facet, value, int(np.count_nonzero(bits & mask)))
                      for (facet, value), bits in self.bitmaps.items()]
        return SearchResult(len(chosen), hits, _facet_counts([c for c in counts if c[2]]), engine)


_indexes: dict[str, FtsIndex] = {}
_indexes_lock = threading.Lock()


def _fts_for(session: Session, with_fts: bool = True) -> FtsIndex:
    url = str(session.get_bind().engine.url)
    with _indexes_lock:
        index = _indexes.get(url)
        if index is None:
            index = _indexes[url] = FtsIndex(with_fts)
    return index


def _postgres_matches(session: Session, q: SearchQuery) -> list[str]:
    """Datasets whose GIN-indexed tsvector matches every word as a prefix."""
    tsq = " & ".join(f"{w}:*" for w in q.words)
    rows = session.execute(text("SELECT id FROM catalog_dataset WHERE search_tsv @@ to_tsquery('simple', :tsq)"),
                           {"tsq": tsq})
    return [r[0] for r in rows]


def search(session: Session, q: SearchQuery) -> SearchResult:
    postgres = session.get_bind().dialect.name == "postgresql"
    index = _fts_for(session, with_fts=not postgres)
    if _latest_seq(session) > index.seq:
        index.refresh(session)
    if postgres:
        return index.search(q, _postgres_matches(session, q) if q.words else None, engine="postgresql-fts")
    return index.search(q)


def search_cached(q: SearchQuery) -> SearchResult | None:
    """The answer from this process's index when it is current (SQLite only), else None; costs no
    transaction and no thread hop, so an async handler may call it directly."""
    from medkosh.store.db import get_engine

    engine = get_engine()
    if engine.dialect.name != "sqlite":
        return None
    index = _indexes.get(str(engine.url))
    if index is None or _latest_seq_of(engine) > index.seq:
        return None
    return index.search(q)


def _latest_seq(session: Session) -> int:
    return _latest_seq_of(session.get_bind().engine)


def _latest_seq_of(engine: Any) -> int:
    """The catalog's change counter, read outside any transaction: on SQLite every ORM transaction begins
    IMMEDIATE (a write lock), which a read-only search must not take on each request."""
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("SELECT max(search_seq) FROM catalog_dataset")
        row = cur.fetchone()
        cur.close()
    finally:
        raw.close()
    return int(row[0] or 0) if row else 0


def parse_filters(pairs: list[str]) -> dict[str, list[str]]:
    """`facet=value` strings (CLI --facet, query parameters) to a filter mapping."""
    out: dict[str, list[str]] = {}
    for pair in pairs:
        facet, sep, value = pair.partition("=")
        if not sep or not value:
            raise InputError(f"not a facet filter: {pair!r}", hint="write facet=value, e.g. modality=notes")
        out.setdefault(facet.strip(), []).append(value.strip())
    return out
