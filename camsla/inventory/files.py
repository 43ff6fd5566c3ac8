"""Reading and writing inventory files: CSV (UTF-8, with or without BOM) and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any


class InventoryFileError(Exception):
    """The file as a whole cannot be read; the message names the file and why."""


def read_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    """Header and (row number, {column: cell}) pairs; row 1 is the header, so data starts at 2."""
    if not path.exists():
        raise InventoryFileError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    raise InventoryFileError(f"{path}: unsupported file type {suffix!r} (use .csv or .xlsx)")


def _read_csv(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in zh-CN saves CSV as GB18030 by default
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes almost anything
        raise InventoryFileError(f"{path}: not UTF-8 or GB18030 text")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InventoryFileError(f"{path}: the file is empty (no header row)") from None
    except csv.Error as e:
        raise InventoryFileError(f"{path}: row 1: {e}") from None

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            yield number, _pair(header, cells, number)

    return header, rows()


def _pair(header: list[str], cells: list[Any], number: int) -> dict[str, Any]:
    if len(cells) > len(header) and any(str(c).strip() for c in cells[len(header):] if c is not None):
        return {"__error__": f"has {len(cells)} cells but the header has {len(header)} columns"}
    return {h: (cells[i] if i < len(cells) else None) for i, h in enumerate(header) if h}


def _read_xlsx(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for a broken file
        raise InventoryFileError(f"{path}: not a readable XLSX workbook ({e})") from None
    ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    try:
        header = [str(h).strip() if h is not None else "" for h in next(it)]
    except StopIteration:
        raise InventoryFileError(f"{path}: the first sheet is empty (no header row)") from None

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for number, cells in enumerate(it, start=2):
            if not any(c is not None and str(c).strip() for c in cells):
                continue
            yield number, _pair(header, list(cells), number)
        wb.close()

    return header, rows()


def write_rows(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    """Write atomically (temporary file, then rename) as CSV or XLSX by suffix."""
    suffix = path.suffix.lower()
    tmp = path.with_name(path.name + ".tmp")
    if suffix == ".csv":
        with tmp.open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows([["" if v is None else v for v in r] for r in rows])
    elif suffix == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("cameras")
        ws.append(header)
        for r in rows:
            ws.append(r)
        wb.save(tmp)
    else:
        raise InventoryFileError(f"{path}: unsupported file type {suffix!r} (use .csv or .xlsx)")
    tmp.replace(path)
