"""Reading the first sheet of an Excel workbook (.xlsx) of candidates, bounded, as the CSV reader reads a file.

An XLSX file is a zip archive, so its members' sizes and compression ratios
are checked from the zip's directory before anything is decompressed: a zip
bomb is refused at once. The sheet is read with openpyxl in read-only mode
(streamed; its XML parsed through defusedxml) with cached values only:
formulas are never evaluated, and a cell that starts with "=" is text. Cells
become the text a CSV export of the sheet would hold: dates as YYYY-MM-DD,
whole numbers without ".0".
"""

import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import BinaryIO
from xml.etree.ElementTree import ParseError

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from hiring.csv_reading import CsvFile, CsvFileError, count_rows, read_csv

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and .doc) format
WORKBOOK_MEMBER = "xl/workbook.xml"
# Limits checked on the zip's directory before anything is decompressed. A real workbook of 100,000
# candidates is a few tens of megabytes of XML, compressed about 5 to 20 times.
MAX_MEMBERS = 1_000
MAX_MEMBER_BYTES = 256 * 1024 * 1024
MAX_TOTAL_BYTES = 512 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 64 * 1024 * 1024  # read into memory whole by openpyxl
MAX_RATIO = 100
RATIO_CHECKED_FROM = 1024 * 1024  # small members may compress very well without harm
# The header names at most this many columns; rows are read this much wider, to report cells past the header.
MAX_COLUMNS = 500
EXTRA_COLUMNS = 20
HEADER_SEARCH_ROWS = 20
# What a malformed workbook can raise while openpyxl reads it (defusedxml's refusals are ValueErrors).
READ_ERRORS = (
    zipfile.BadZipFile, zipfile.LargeZipFile, InvalidFileException, KeyError, ValueError, TypeError, IndexError,
    AttributeError, EOFError, OSError, ParseError, SyntaxError,
)  # fmt: skip

OLD_EXCEL = (
    "This is an old Excel workbook (.xls). Open it in Excel or LibreOffice and save it as .xlsx or as "
    "“CSV UTF-8”, then import that file."
)
NOT_A_WORKBOOK = (
    "This is a zip file but not an Excel workbook (.xlsx). Import a .xlsx workbook or a CSV file "
    "(in Excel: File › Save As › “CSV UTF-8”)."
)
UNREADABLE = "The workbook cannot be read ({reason}). Open it in Excel and save it again, or save it as CSV."
TOO_BIG = (
    "The workbook was refused: {reason}. That is what a “zip bomb” looks like. Save the sheet as CSV and "
    "import that file instead."
)


def is_xlsx(stream: BinaryIO) -> bool:
    """Return True if the stream is a zip archive holding xl/workbook.xml, as every .xlsx file does."""
    stream.seek(0)
    if stream.read(4) != ZIP_MAGIC:
        return False
    try:
        with zipfile.ZipFile(stream) as archive:
            return WORKBOOK_MEMBER in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def check_archive(stream: BinaryIO) -> None:
    """Raise CsvFileError unless the zip's members are few, and small and sanely compressed once unpacked.

    Python's zipfile never unpacks a member beyond the size its directory
    declares (it fails the checksum instead), so these declared sizes bound
    what reading the workbook can cost.
    """
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise CsvFileError(UNREADABLE.format(reason=error)) from None
    if len(members) > MAX_MEMBERS:
        raise CsvFileError(TOO_BIG.format(reason=f"it holds {len(members):,} files, more than {MAX_MEMBERS:,}"))
    total = 0
    for member in members:
        total += member.file_size
        limit = MAX_SHARED_STRINGS_BYTES if member.filename.endswith("sharedStrings.xml") else MAX_MEMBER_BYTES
        if member.file_size > limit:
            reason = f"{member.filename} would unpack to {member.file_size:,} bytes, more than {limit:,}"
            raise CsvFileError(TOO_BIG.format(reason=reason))
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_CHECKED_FROM and ratio > MAX_RATIO:
            reason = f"{member.filename} is compressed {ratio:,.0f} times, more than {MAX_RATIO} times"
            raise CsvFileError(TOO_BIG.format(reason=reason))
    if total > MAX_TOTAL_BYTES:
        raise CsvFileError(TOO_BIG.format(reason=f"it would unpack to {total:,} bytes, more than {MAX_TOTAL_BYTES:,}"))


def cell_text(value) -> str:
    """Return a cell's value as the text a CSV export holds: dates YYYY-MM-DD, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        if value.time() == time():
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds" if value.second else "minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat(timespec="seconds" if value.second else "minutes")
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


class XlsxFile:
    """The first sheet of a workbook: its header and its data rows, read like a CsvFile of candidates.

    ``rows()`` streams the rows and can be called again. Call ``close()`` when done.
    """

    delimiter = None

    def __init__(self, stream: BinaryIO):
        self.stream = stream
        self.size = stream.seek(0, io.SEEK_END)
        self.notes: list[str] = []
        check_archive(stream)
        stream.seek(0)
        try:
            self.workbook = load_workbook(stream, read_only=True, data_only=True, keep_links=False)
            sheets = self.workbook.worksheets
            if not sheets:
                raise CsvFileError("The workbook has no worksheet.")
            self.sheet = sheets[0]
            self.declared_rows = self.sheet.max_row or 0  # for progress only: the file may say anything
            # Never trust the sheet's declared size: a sheet claiming 16,384 columns would pad every row.
            self.sheet.reset_dimensions()
        except READ_ERRORS as error:
            raise CsvFileError(UNREADABLE.format(reason=type(error).__name__)) from None
        if len(self.workbook.worksheets) > 1:
            self.notes.append(f"Only the first sheet, “{self.sheet.title}”, was read; the workbook has others.")
        self.header_line = 0
        self.header_cells: list[str] = []
        self.width = 0
        self.line = 0
        self._read_header()

    def _records(self, min_row: int = 1, max_col: int = MAX_COLUMNS + 1) -> Iterator[tuple[int, list[str]]]:
        """Yield (row number, cells as text) from ``min_row`` on, at most ``max_col`` cells a row."""
        try:
            rows = self.sheet.iter_rows(min_row=min_row, max_col=max_col, values_only=True)
            for self.line, values in enumerate(rows, start=min_row):
                yield self.line, [cell_text(value) for value in values]
        except READ_ERRORS as error:
            reason = type(error).__name__
            raise CsvFileError(f"Row {self.line + 1} of the workbook cannot be read ({reason}).") from None

    def _read_header(self) -> None:
        for line, cells in self._records():
            if any(cell.strip() for cell in cells):
                while cells and not cells[-1].strip():
                    cells.pop()
                if len(cells) > MAX_COLUMNS:
                    raise CsvFileError(f"The first row names more than {MAX_COLUMNS} columns, the most Bench reads.")
                self.header_line, self.header_cells, self.width = line, cells, len(cells)
                return
            if line >= HEADER_SEARCH_ROWS:
                break
        raise CsvFileError("The first sheet is empty. Its first row must name the columns, e.g. name, email, company.")

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Yield (row number, cells) of every data row with any content; blank rows are skipped but counted."""
        for line, cells in self._records(self.header_line + 1, self.width + EXTRA_COLUMNS):
            if any(cell.strip() for cell in cells):
                yield line, cells

    def count_rows(self, stop_after: int | None = None) -> int:
        """Return the number of data rows, counting no further than ``stop_after``."""
        return count_rows(self.rows(), stop_after)

    def extra_cells(self, cells: list[str]) -> int:
        """Return how many non-empty cells a row has beyond the header's columns."""
        return sum(1 for cell in cells[self.width :] if cell.strip())

    def position(self) -> int:
        """Return an estimate of the bytes read so far (for progress bars), from the rows the sheet says it has."""
        if not self.declared_rows:
            return self.size
        return min(self.size, self.size * self.line // self.declared_rows)

    def close(self) -> None:
        """Let go of the workbook's open archive."""
        self.workbook.close()


def read_table(data: bytes | BinaryIO) -> CsvFile | XlsxFile:
    """Open a file of candidates, a CSV file or an XLSX workbook as its content (never its name) says.

    The CSV reader keeps the header as written, for ``hiring.column_mapping`` to read.
    """
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    stream.seek(0)
    head = stream.read(4)
    if head == OLE_MAGIC:
        raise CsvFileError(OLD_EXCEL)
    if head == ZIP_MAGIC:
        if is_xlsx(stream):
            return XlsxFile(stream)
        raise CsvFileError(NOT_A_WORKBOOK)
    table = read_csv(stream, columns=None)
    if len(table.header_cells) > MAX_COLUMNS:
        raise CsvFileError(f"The first line names more than {MAX_COLUMNS} columns, the most Bench reads.")
    return table
