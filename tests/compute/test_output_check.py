"""Automatic disclosure checks: small cells, rounding, row-level data, identifiers and canaries."""

from __future__ import annotations

from pathlib import Path

from medkosh.compute.output_check import CheckRules, check_file, check_table, round_to
from medkosh.compute.types import OutputKind, OutputStatus


def test_small_cells_are_redacted_and_counts_rounded() -> None:
    data = b"district,week,n,mean_hba1c\nPune,2024-W01,3,7.1\nPune,2024-W02,12,7.4\nNashik,2024-W01,8,6.9\n"
    r = check_table(data, CheckRules())
    assert r.status is OutputStatus.PENDING_REVIEW
    lines = r.checked_bytes.decode().splitlines()  # type: ignore[union-attr]
    assert lines[1] == "Pune,2024-W01,[REDACTED],7.1"
    assert lines[2] == "Pune,2024-W02,10,7.4"  # 12 → nearest 5
    assert lines[3] == "Nashik,2024-W01,10,6.9"  # 8 > 7, rounds to 10
    assert r.redacted_cells == 1 and r.rounded_cells == 2
    assert "7.1" in lines[1]  # means are not counts


def test_threshold_and_base_are_configurable() -> None:
    r = check_table(b"group,count\na,9\nb,11\n", CheckRules(threshold=10, rounding=10))
    assert r.checked_bytes == b"group,count\na,[REDACTED]\nb,10\n"
    assert round_to(12, 5) == 10 and round_to(13, 5) == 15 and round_to(7, 1) == 7


def test_row_level_outputs_are_blocked() -> None:
    ids = check_table(b"patient_key,hba1c\nP0123456789abcdef0123,7.1\n", CheckRules())
    assert ids.status is OutputStatus.BLOCKED and "identifier" in ids.reasons[0]
    records = "\n".join(f"{30 + i % 50},{i % 2},{6 + i / 100:.2f}" for i in range(200))
    rows = check_table(("age,sex,hba1c\n" + records).encode(), CheckRules())
    assert rows.status is OutputStatus.BLOCKED and "row-level" in rows.reasons[0]
    uuid_values = check_table(b"subject,value\n" + b"".join(
        f"123e4567-e89b-12d3-a456-42661417{i:04d},1\n".encode() for i in range(5)), CheckRules())
    assert uuid_values.status is OutputStatus.BLOCKED


def test_aggregates_with_many_rows_pass() -> None:
    body = "\n".join(f"d{i},{20 + i}" for i in range(100))
    r = check_table(("district,n\n" + body).encode(), CheckRules())
    assert r.status is OutputStatus.PENDING_REVIEW


def test_identifiers_and_canaries_in_text_block_the_file(tmp_path: Path) -> None:
    clean = tmp_path / "metrics.json"
    clean.write_text('{"auroc": 0.81, "n_train": 1200}')
    assert check_file(clean, CheckRules(), canaries=["Zorvek Quillamara"]).status is OutputStatus.PENDING_REVIEW
    leak = tmp_path / "notes.txt"
    leak.write_text("Worst error was for ZORVEK  QUILLAMARA, call +91 98765 43210")
    r = check_file(leak, CheckRules(), canaries=["Zorvek Quillamara"])
    assert r.status is OutputStatus.BLOCKED and r.findings >= 1 and "CANARY" in r.reasons[-1]
    table = tmp_path / "t.csv"
    table.write_text("name,n\nZorvek Quillamara,40\n")
    assert check_file(table, CheckRules(), canaries=["Zorvek Quillamara"]).status is OutputStatus.BLOCKED


def test_models_and_figures_go_to_human_checkers(tmp_path: Path) -> None:
    model = tmp_path / "model.onnx"
    model.write_bytes(b"\x08\x07\x12\x07skl2onnx")
    r = check_file(model, CheckRules(), canaries=[])
    assert r.kind is OutputKind.MODEL and r.status is OutputStatus.PENDING_REVIEW
    assert "inspect" in r.reasons[0]
