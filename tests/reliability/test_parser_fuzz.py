"""Hostile files: every parser medkosh points at user input, fuzzed with hypothesis.

- ZIP uploads (medkosh.ingest.archive via `medkosh ingest fhir x.zip`): path traversal names, absolute
  and drive-letter names, symbolic links, a 1 GiB zip bomb (built streamed, never inflated), too many
  members, bad members — each refused with one line and nothing written to the raw zone.
- Mutational fuzzing of the real sample files in ../shared/data (truncate, flip bytes, insert garbage):
  FHIR bundles (fast path and --strict), a CSV extract, DICOM files, ZIPs of bundles.
- Generated input: FHIR-shaped JSON with random field types, random YAML for the anonymisation recipe
  and the dataset spec.

The rule everywhere: a bad file yields one line (what, where, how to fix) — quarantined or a
MedkoshError — never another exception, and none of its rows or bytes reach an output.
Examples: MEDKOSH_FUZZ_EXAMPLES scales every property (default 4 → a few hundred files in all).
"""

from __future__ import annotations

import io
import os
import stat
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pydicom
import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from medkosh.errors import MedkoshError
from medkosh.ingest.archive import ArchiveError, ArchiveLimits, SafeZip, check_member_name

SHARED_DATA = Path(os.environ.get("MEDKOSH_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data"))
SYNTHEA = SHARED_DATA / "synthea-fhir-r4"
EKA = SHARED_DATA / "abdm-fhir-examples" / "projecteka-hip-service"
ADULT = SHARED_DATA / "arx-benchmark" / "adult_subset.csv"
SCALE = int(os.environ.get("MEDKOSH_FUZZ_EXAMPLES", "4"))
FUZZ = settings(max_examples=5 * SCALE, deadline=None, database=None, derandomize=True,
                phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
needs_data = pytest.mark.skipif(not SYNTHEA.exists() or not EKA.exists() or not ADULT.exists(),
                                reason="shared sample data not found (../shared/data)")


def _one_line(text: str) -> None:
    assert text and "\n" not in text and "Traceback" not in text, text


def _small_bundles(n: int) -> list[Path]:
    files = sorted(SYNTHEA.glob("*.json"), key=lambda p: p.stat().st_size)[:n // 2]
    return files + sorted(EKA.glob("*.json"))[: n - len(files)]


# ---- mutations --------------------------------------------------------------------------------------

MUTATION = st.one_of(
    st.tuples(st.just("truncate"), st.floats(0.0, 0.999), st.just(b"")),
    st.tuples(st.just("flip"), st.floats(0.0, 0.999), st.integers(1, 255).map(lambda b: bytes([b]))),
    st.tuples(st.just("insert"), st.floats(0.0, 0.999),
              st.sampled_from([b"\x00", b"\xff\xfe", b"{", b"]", b'"', b",", b"null", b"\\u0000", b"\n",
                               b'{"resourceType": 5}', b"1e999999", b"-0", b"[[[[[[[[", b"\xc3\x28"])
              | st.binary(min_size=1, max_size=16)),
)


def mutate(data: bytes, ops: list[tuple[str, float, bytes]]) -> bytes:
    out = bytearray(data)
    for kind, where, value in ops:
        at = int(where * len(out)) if out else 0
        if kind == "truncate":
            del out[at:]
        elif kind == "flip" and out:
            out[min(at, len(out) - 1)] ^= value[0]
        elif kind == "insert":
            out[at:at] = value
    return bytes(out)


MUTATIONS = st.lists(MUTATION, min_size=1, max_size=3)


# ---- the safe ZIP reader ------------------------------------------------------------------------------

def _zip(path: Path, members: dict[str, bytes], symlink: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
    return path


@pytest.fixture(scope="session")
def zip_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1 GiB of zeros as one member (about 1 MB compressed), written streamed: never in memory."""
    path = tmp_path_factory.mktemp("bomb") / "bundles.zip"
    zero = bytes(1 << 20)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("bundle.json", "w", force_zip64=True) as fh:
            for _ in range(1024):
                fh.write(zero)
    assert path.stat().st_size < 4 << 20
    return path


@pytest.mark.parametrize("name", ["../evil.json", "a/../../evil.json", "/etc/cron.d/evil.json", "C:/evil.json",
                                  "c:evil.json", "a\\..\\evil.json", "\\\\server\\share\\x.json", "bad\x00.json", ""])
def test_unsafe_member_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError):
        check_member_name(name)


def test_plain_member_names_pass() -> None:
    for name in ("bundle.json", "site-a/2024/bundle.ndjson", "a..b.json", "dir/"):
        assert check_member_name(name) == name


def _raw_zone_parquet(home: Path) -> list[Path]:
    return sorted((home / "raw").rglob("*.parquet")) if (home / "raw").exists() else []


def test_zip_of_bundles_ingests_like_the_files(tmp_path: Path, sqlite_url: str, medkosh_home: Path) -> None:
    from medkosh.ingest.fhir import ingest_fhir

    files = _small_bundles(4)
    ndjson = b"\n".join(f.read_bytes().replace(b"\n", b" ") for f in files[:2]) + b"\n"
    archive = _zip(tmp_path / "upload.zip", {f"site/{f.name}": f.read_bytes() for f in files}
                   | {"more/two.ndjson": ndjson, "README.txt": b"ignored", "__MACOSX/._x.json": b"\x00"})
    (tmp_path / "two.ndjson").write_bytes(ndjson)
    direct = ingest_fhir([*files, tmp_path / "two.ndjson"], "DIRECT", out=tmp_path / "direct")
    zipped = ingest_fhir([archive], "ZIPPED", out=tmp_path / "zipped")
    assert not zipped.quarantined and zipped.files_ingested == 1
    assert zipped.rows == direct.rows and sum(zipped.rows.values()) > 0


def test_bad_archives_each_give_one_line_and_write_nothing(tmp_path: Path, sqlite_url: str, medkosh_home: Path,
                                                            zip_bomb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from medkosh.cli.main import main
    from medkosh.ingest.fhir import ingest_fhir

    good = _small_bundles(1)[0].read_bytes()
    cut = good[: len(good) // 2]
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as zf:
        for i in range(10_001):
            zf.writestr(f"m{i}.txt", b"")
    cases = {
        "traversal": (_zip(tmp_path / "traversal.zip", {"ok.json": good, "../../evil.json": good}), "path traversal"),
        "absolute": (_zip(tmp_path / "absolute.zip", {"ok.json": good, "/tmp/evil.json": good}), "absolute path"),
        "drive": (_zip(tmp_path / "drive.zip", {"C:/evil.json": good}), "absolute path"),
        "backslash": (_zip(tmp_path / "backslash.zip", {"..\\evil.json": good}), "backslash"),
        "symlink": (_zip(tmp_path / "symlink.zip", {"ok.json": good}, symlink="link.json"), "symbolic link"),
        "bomb": (zip_bomb, "zip bomb"),
        "many": (many, "10001 members"),
        "bad member": (_zip(tmp_path / "badmember.zip", {"a.json": good, "b.json": cut}), "cut off"),
        "not a zip": (tmp_path / "garbage.zip", "not a readable ZIP"),
        "empty": (_zip(tmp_path / "empty.zip", {"notes.txt": b"hello"}), "no FHIR files"),
    }
    (tmp_path / "garbage.zip").write_bytes(b"PK\x03\x04" + os.urandom(200))
    for label, (path, expected) in cases.items():
        report = ingest_fhir([path], "HOSP-Z")
        assert len(report.quarantined) == 1, label
        q = report.quarantined[0]
        _one_line(q.reason)
        assert expected in f"{q.pointer} {q.reason}", (label, q)
        assert report.files_ingested == 0 and sum(report.rows.values()) == 0, label
        assert _raw_zone_parquet(medkosh_home) == [], label
    # through the CLI: exit 1, one 'quarantined' line on stderr naming the archive
    capsys.readouterr()
    try:
        code = main(["ingest", "fhir", str(cases["traversal"][0]), "--source", "HOSP-Z"])
    except SystemExit as exit_:
        code = exit_.code
    assert code == 1
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("quarantined ") and "traversal.zip" in lines[0], lines
    assert "../../evil.json" in lines[0] and "re-create the archive" in lines[0]
    assert _raw_zone_parquet(medkosh_home) == []


def test_streaming_guard_stops_a_member_at_the_cap(tmp_path: Path) -> None:
    data = b'{"resourceType": "Bundle", "entry": []}' + b" " * (3 << 20)  # compresses very well
    path = _zip(tmp_path / "a.zip", {"a.json": data})
    with pytest.raises(ArchiveError, match="zip bomb"):
        SafeZip(path)
    loose = ArchiveLimits(max_ratio=1e9, max_total_bytes=1 << 20, max_member_bytes=8 << 20)
    with pytest.raises(ArchiveError, match="more than 1 MiB uncompressed"):
        SafeZip(path, loose)
    # a header that lies (declares 1 MiB, holds 3 MiB): the read stops at the declared size
    with SafeZip(path, ArchiveLimits(max_ratio=1e9)) as archive:
        info = archive.members[0]
        info.file_size = 1 << 20
        with pytest.raises(ArchiveError) as err:
            archive.read(info)
    _one_line(err.value.user_line())


@needs_data
@FUZZ
@given(ops=MUTATIONS)
def test_mutated_zip_archives(tmp_path_factory: pytest.TempPathFactory, ops: list[Any]) -> None:
    files = _small_bundles(2)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for f in files:
            zf.writestr(f.name, f.read_bytes())
    path = tmp_path_factory.mktemp("zipfuzz") / "m.zip"
    path.write_bytes(mutate(buf.getvalue(), ops))
    try:
        with SafeZip(path) as archive:
            for info in archive.members:
                archive.read(info)
    except ArchiveError as exc:
        _one_line(exc.user_line())


# ---- FHIR -----------------------------------------------------------------------------------------------

def _ingest_and_check(folder: Path, out: Path, strict: bool) -> None:
    """Ingest a folder of (mostly broken) inputs: no exception, one line per quarantined file, and the rows
    written equal a clean run over only the files that passed (nothing of a quarantined file leaks)."""
    from medkosh.ingest.fhir import ingest_fhir

    report = ingest_fhir([folder], "FUZZ", out=out / "all", strict=strict)
    bad = {q.path for q in report.quarantined}
    for q in report.quarantined:
        _one_line(q.reason)
    assert report.files_ingested + len(bad) + report.files_skipped == report.files_total
    passed = [p for p in sorted(folder.iterdir()) if str(p) not in bad]
    if passed:
        clean = ingest_fhir(passed, "FUZZ", out=out / "clean", strict=strict)
        assert not clean.quarantined and clean.rows == report.rows
    else:
        assert sum(report.rows.values()) == 0


@needs_data
@pytest.mark.parametrize("strict", [False, True], ids=["fast", "strict"])
def test_mutated_fhir_bundles(tmp_path_factory: pytest.TempPathFactory, strict: bool) -> None:
    sources = _small_bundles(6 if not strict else 2)
    batch = 10 if not strict else 4

    @FUZZ
    @given(muts=st.lists(MUTATIONS, min_size=batch, max_size=batch))
    def run(muts: list[list[Any]]) -> None:
        base = tmp_path_factory.mktemp("fhirfuzz")
        folder = base / "in"
        folder.mkdir()
        for i, ops in enumerate(muts):
            src = sources[i % len(sources)]
            suffix = ".ndjson" if i % 5 == 4 else ".json"
            data = src.read_bytes()
            if suffix == ".ndjson":
                data = data.replace(b"\n", b" ") + b"\n" + data.replace(b"\n", b" ") + b"\n"
            (folder / f"f{i:02d}{suffix}").write_bytes(mutate(data, ops))
        _ingest_and_check(folder, base, strict)

    run()


JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False),
                      st.text(max_size=12), st.sampled_from(["Patient/p1", "urn:uuid:p1", "#m1", "2020-13-45", "2020"]))
JSON = st.recursive(JSON_LEAF, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from(["reference", "code", "system", "value", "start", "display",
                                                       "coding", "text", "id", "period", "valueQuantity", "unit"]),
                                      inner, max_size=4), max_leaves=12)
FIELDS = ["id", "subject", "patient", "encounter", "code", "period", "effectiveDateTime", "valueQuantity",
          "birthDate", "gender", "identifier", "name", "address", "medicationReference", "medicationCodeableConcept",
          "status", "class", "onsetDateTime", "recordedDate", "issued", "context", "dosageInstruction", "telecom"]
TYPES = ["Patient", "Encounter", "Condition", "Observation", "MedicationRequest", "Procedure", "Composition",
         "DiagnosticReport", "Immunization", "AllergyIntolerance", "DocumentReference", "Medication"]
RESOURCE = st.builds(lambda t, fields: {"resourceType": t, **fields}, st.sampled_from(TYPES),
                     st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=6))
BUNDLE = st.builds(lambda kind, entries: {"resourceType": "Bundle", "type": kind, "entry": entries},
                   st.sampled_from(["collection", "document", "transaction", "batch", 7]),
                   st.lists(st.fixed_dictionaries({"fullUrl": st.sampled_from(["urn:uuid:p1", "urn:uuid:e1", "x"]),
                                                   "resource": RESOURCE}), max_size=6))


def test_generated_fhir_shapes(tmp_path_factory: pytest.TempPathFactory) -> None:
    import orjson

    @settings(max_examples=4 * SCALE, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(docs=st.lists(BUNDLE | RESOURCE, min_size=12, max_size=12))
    def run(docs: list[Any]) -> None:
        base = tmp_path_factory.mktemp("fhirgen")
        folder = base / "in"
        folder.mkdir()
        for i, doc in enumerate(docs):
            (folder / f"g{i:02d}.json").write_bytes(orjson.dumps(doc))
        _ingest_and_check(folder, base, strict=False)

    run()


# ---- CSV / Parquet extracts --------------------------------------------------------------------------------

@needs_data
def test_mutated_csv_and_parquet_extracts(tmp_path_factory: pytest.TempPathFactory) -> None:
    import polars as pl

    from medkosh.ingest.tabular import ingest_table

    head = b"".join(ADULT.read_bytes().splitlines(keepends=True)[:60])
    parquet = io.BytesIO()
    pl.read_csv(io.BytesIO(head)).write_parquet(parquet)

    @FUZZ
    @given(ops=MUTATIONS, kind=st.sampled_from(["csv", "parquet"]))
    def run(ops: list[Any], kind: str) -> None:
        base = tmp_path_factory.mktemp("tabfuzz")
        src = base / f"extract.{kind}"
        src.write_bytes(mutate(head if kind == "csv" else parquet.getvalue(), ops))
        out = base / "out"
        try:
            ingest_table(src, "FUZZ", out=out, recipe_out=base / "recipe.yaml")
        except MedkoshError as exc:
            _one_line(exc.user_line())
            assert not out.exists() or not any(out.rglob("*.parquet")), "a refused extract left output behind"

    run()


# ---- DICOM -------------------------------------------------------------------------------------------------

def test_mutated_dicom_files(tmp_path_factory: pytest.TempPathFactory) -> None:
    from pydicom.data import get_testdata_file

    from medkosh.deid.dicom import DicomDeidentifier, deidentify_folder
    from medkosh.deid.pseudonym import pseudonym

    secret = b"f" * 32
    samples = [Path(str(get_testdata_file(n))).read_bytes() for n in ("CT_small.dcm", "MR_small.dcm")]

    @FUZZ
    @given(muts=st.lists(MUTATIONS, min_size=6, max_size=6))
    def run(muts: list[list[Any]]) -> None:
        base = tmp_path_factory.mktemp("dcmfuzz")
        folder = base / "in"
        folder.mkdir()
        for i, ops in enumerate(muts):
            (folder / f"img{i}").write_bytes(mutate(samples[i % 2], ops))
        engine = DicomDeidentifier(secret, lambda pid: pseudonym(secret, pid, system="uhid:FUZZ"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            report = deidentify_folder(folder, base / "out", engine)
        for skipped in report.skipped or []:
            _one_line(skipped["reason"])
        assert report.written == report.files_total - len(report.skipped or [])
        # copies of one sample keep its UIDs, so they share an output name: at most one file per good input,
        # each a readable DICOM, and nothing of the staging folder left behind
        written = sorted((base / "out").rglob("*.dcm"))
        assert 0 < len(written) <= report.written or report.written == 0
        for path in written:
            pydicom.dcmread(path)
        assert [p.name for p in base.iterdir() if p.name.startswith(".")] == []

    run()


# ---- YAML: anonymisation recipe, dataset spec -----------------------------------------------------------------

YAML_VALUE = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=False),
                                    st.text(max_size=10), st.sampled_from(["k-anonymity", "quasi", "${HOME}", "../x"])),
                          lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                      max_size=3), max_leaves=10)


def _yaml_docs(keys: list[str]) -> st.SearchStrategy[bytes]:
    mapping = st.dictionaries(st.sampled_from(keys), YAML_VALUE, max_size=len(keys))
    structured = mapping.map(lambda d: yaml.safe_dump(d).encode())
    raw = st.sampled_from([b"", b"- a\n- b", b"a: [1, 2", b"!!python/object:os.system 'id'", b"&a [*a]", b"\xff\xfe",
                           b"a: &x 1\nb: *y", b"{" * 200, b"key: " + b"x" * 5000]) | st.binary(max_size=64)
    return structured | raw


def test_random_anonymisation_recipes(tmp_path_factory: pytest.TempPathFactory) -> None:
    from medkosh.deid.tabular.recipe import load_recipe

    example = (Path(__file__).resolve().parents[2] / "examples" / "recipes" / "ehr-cohort.yaml").read_bytes()
    keys = sorted(yaml.safe_load(example))

    @settings(max_examples=25 * SCALE, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(doc=_yaml_docs(keys) | MUTATIONS.map(lambda ops: mutate(example, ops)))
    def run(doc: bytes) -> None:
        path = tmp_path_factory.mktemp("recipe") / "recipe.yaml"
        path.write_bytes(doc)
        try:
            load_recipe(path)
        except MedkoshError as exc:
            _one_line(exc.user_line())

    run()


def test_random_dataset_specs() -> None:
    from medkosh.catalog.spec import parse_spec

    example = (Path(__file__).resolve().parents[2] / "examples" / "datasets" / "ehr-diabetes-cohort.yaml").read_bytes()
    keys = sorted(yaml.safe_load(example))

    @settings(max_examples=25 * SCALE, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(doc=_yaml_docs(keys) | MUTATIONS.map(lambda ops: mutate(example, ops)))
    def run(doc: bytes) -> None:
        try:
            parse_spec(doc, "spec.yaml")
        except MedkoshError as exc:
            _one_line(exc.user_line())

    run()


# ---- regressions: defects this fuzzing found, each fixed in the parser -------------------------------------

def test_regression_fhir_values_of_the_wrong_json_type_quarantine_the_file(tmp_path: Path, sqlite_url: str,
                                                                           medkosh_home: Path) -> None:
    """Was: ArrowTypeError / AttributeError ended the whole run (`"gender": 5`, `"status": {}`,
    `"period": "x"`); now the file is quarantined with one line and the other files are ingested."""
    import orjson

    from medkosh.ingest.fhir import ingest_fhir

    def bundle(resource: dict[str, Any]) -> bytes:
        return orjson.dumps({"resourceType": "Bundle", "type": "collection", "entry": [
            {"fullUrl": "urn:uuid:p1", "resource": {"resourceType": "Patient", "id": "p1", "gender": "female"}},
            {"fullUrl": "urn:uuid:x", "resource": {"subject": {"reference": "urn:uuid:p1"}, **resource}}]})

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a_gender.json").write_bytes(bundle({"resourceType": "Patient", "gender": 5}))
    (folder / "b_status.json").write_bytes(bundle({"resourceType": "Encounter", "status": {"x": 1}}))
    (folder / "c_period.json").write_bytes(bundle({"resourceType": "Encounter", "period": "2020"}))
    (folder / "d_ident.json").write_bytes(bundle({"resourceType": "Patient", "identifier": [{"system": 7}]}))
    good = bundle({"resourceType": "Encounter", "status": "finished", "period": {"start": "2020-01-02"}})
    (folder / "e_good.json").write_bytes(good)
    (folder / "f_lines.ndjson").write_bytes(good.replace(b"finished", b"planned") + b"\n"
                                            + bundle({"resourceType": "Patient", "gender": [1]}) + b"\n")
    report = ingest_fhir([folder], "HOSP-R")
    bad = {Path(q.path).name: q for q in report.quarantined}
    assert sorted(bad) == ["a_gender.json", "b_status.json", "c_period.json", "d_ident.json", "f_lines.ndjson"]
    for q in bad.values():
        _one_line(q.reason)
        assert "wrong JSON type" in q.reason or "expects text" in q.reason, q
    assert bad["f_lines.ndjson"].pointer.startswith("line 2")
    assert report.files_ingested == 1 and report.rows == {"encounter": 1, "patient": 1}


def test_regression_csv_header_with_a_nul_is_one_line(tmp_path: Path, sqlite_url: str) -> None:
    """Was: a Rust panic inside Polars (PanicException, not an Exception) ended the process."""
    from medkosh.ingest.tabular import ingest_table

    src = tmp_path / "extract.csv"
    src.write_bytes(b"\x00uhid,age\nU1,30\nU2,40\n")
    with pytest.raises(MedkoshError) as err:
        ingest_table(src, "HOSP-R", out=tmp_path / "out")
    assert "control characters" in err.value.user_line()
    _one_line(err.value.user_line())
    assert not (tmp_path / "out").exists()


def test_regression_dicom_that_reads_but_cannot_be_written_is_skipped(tmp_path: Path) -> None:
    """Was: pydicom's TypeError while writing ended the folder run (and could leave half a file); now the file
    is skipped with one line and the good file is published."""
    from pydicom.data import get_testdata_file

    from medkosh.deid.dicom import DicomDeidentifier, deidentify_folder
    from medkosh.deid.pseudonym import pseudonym

    clean = Path(str(get_testdata_file("CT_small.dcm"))).read_bytes()
    ops = [("insert", 0.7251217045170212, b'{"resourceType": 5}'), ("insert", 0.6133665548646197,
           b'{"resourceType": 5}'), ("flip", 2.220446049250313e-16, b"m")]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a").write_bytes(clean)
    (tmp_path / "in" / "b").write_bytes(mutate(clean, ops))
    secret = b"r" * 32
    engine = DicomDeidentifier(secret, lambda pid: pseudonym(secret, pid, system="uhid:REG"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = deidentify_folder(tmp_path / "in", tmp_path / "out", engine)
    assert report.written == 1 and len(report.skipped or []) == 1
    reason = (report.skipped or [])[0]["reason"]
    _one_line(reason)
    assert reason.startswith("corrupt DICOM element")
    assert len(list((tmp_path / "out").rglob("*.dcm"))) == 1


def test_regression_dicom_ingest_quarantines_a_file_that_cannot_be_written(tmp_path: Path, sqlite_url: str) -> None:
    """`medkosh ingest dicom` had the same defect as the folder de-identification (one bad file ended the run)."""
    from pydicom.data import get_testdata_file

    from medkosh.ingest.dicom import ingest_dicom

    clean = Path(str(get_testdata_file("CT_small.dcm"))).read_bytes()
    ops = [("insert", 0.7251217045170212, b'{"resourceType": 5}'), ("insert", 0.6133665548646197,
           b'{"resourceType": 5}'), ("flip", 2.220446049250313e-16, b"m")]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a").write_bytes(clean)
    (tmp_path / "in" / "b").write_bytes(mutate(clean, ops))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = ingest_dicom(tmp_path / "in", "HOSP-D")
    assert report.files_ingested == 1 and len(report.quarantined) == 1
    _one_line(report.quarantined[0].reason)
    assert report.quarantined[0].reason.startswith("corrupt DICOM element")


def test_regression_huge_paging_numbers_are_422_not_500(sqlite_url: str) -> None:
    """Was: GET /api/datasets?offset=<2**70> → OverflowError in the database driver (500)."""
    from fastapi.testclient import TestClient

    from medkosh.api.app import create_app

    c = TestClient(create_app())
    for url in ("/api/datasets?offset=" + str(2**70), "/api/datasets/search?offset=" + str(2**70)):
        r = c.get(url)
        assert r.status_code == 422, (url, r.status_code)
        _one_line(r.json()["error"])
