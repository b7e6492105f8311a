"""Reading a CSV file of candidates: its encoding, delimiter, header and rows.

Rows are numbered as a spreadsheet numbers them (the header is line 1), and
read as a stream, so a file of any size is never held in memory at once.
"""

import codecs
import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from hiring.export import FORMULA_STARTS

# The columns Bench reads, by their header name (compared case-insensitively).
COLUMNS = (
    "external_id", "first_name", "last_name", "name", "email", "phone", "location", "linkedin", "company", "title",
    "source", "owner_email", "tags", "notes", "status", "next_touch",
)  # fmt: skip
NAME_COLUMNS = ("name", "first_name", "last_name")
# European spreadsheets write CSV with semicolons; "Unicode text" exports use tabs.
DELIMITERS = (",", ";", "\t")
CHUNK_BYTES = 1 << 20
LATIN_1_NOTE = (
    "The file is not UTF-8, so it was read as Latin-1 (Windows-1252). If accented letters look wrong, "
    "save it as “CSV UTF-8” and import it again."
)
WORKBOOK_MESSAGE = (
    "This is a spreadsheet workbook, not a CSV file. In Excel choose File › Save As › “CSV UTF-8”; "
    "in Google Sheets File › Download › CSV; then import that file."
)


class CsvFileError(ValueError):
    """The file as a whole cannot be imported; the message says why, in the user's terms."""


def column_letter(index: int) -> str:
    """Return the spreadsheet letter of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def header_key(name: str) -> str:
    """Return the column name a header cell stands for: trimmed, lowercase, spaces and hyphens as underscores."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _decodes(stream: BinaryIO, encoding: str) -> bool:
    """Return True if the whole stream is valid in ``encoding``."""
    stream.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        while chunk := stream.read(CHUNK_BYTES):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(stream: BinaryIO) -> str:
    """Return the encoding to read the stream with: UTF-8 (with or without BOM), UTF-16 with BOM, else Latin-1."""
    stream.seek(0)
    head = stream.read(8)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):  # .xlsx (a zip) and .xls
        raise CsvFileError(WORKBOOK_MESSAGE)
    if _decodes(stream, "utf-8"):
        return "utf-8-sig"  # drops a byte-order mark if there is one
    # Windows-1252 is what "Latin-1" files from Excel really are; true Latin-1 accepts any bytes.
    return "cp1252" if _decodes(stream, "cp1252") else "latin-1"


def sniff_delimiter(first_line: str) -> str:
    """Return the delimiter the header line uses: comma, unless it has more semicolons or tabs."""
    counts = {delimiter: first_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])  # ties go to the comma, listed first
    return best if counts[best] else ","


def count_rows(rows: Iterator, stop_after: int | None = None) -> int:
    """Count the rows an iterator yields, no further than ``stop_after``."""
    count = 0
    for _ in rows:
        count += 1
        if stop_after is not None and count >= stop_after:
            break
    return count


class CsvFile:
    """A CSV file of candidates: how to read it, what its header says, and its data rows.

    Opening it reads the header; ``rows()`` streams the data rows and can be
    called again (the stream must be seekable: a file or a BytesIO).
    """

    def __init__(self, stream: BinaryIO, columns: tuple[str, ...] | None = COLUMNS, check=None):
        self.stream = stream
        self.known = columns
        self.check = check or check_candidate_columns
        self.encoding = detect_encoding(stream)
        self.notes = [LATIN_1_NOTE] if self.encoding in ("cp1252", "latin-1") else []
        self.delimiter = ","
        self.skip_first = False  # Excel's "sep=;" line, which it hides and so does not count
        self.header_line = 0
        self.header_cells: list[str] = []  # the header as written
        self.columns: dict[str, int] = {}  # known column name -> 0-based index
        self.unknown: list[str] = []
        self.width = 0
        self._read_header()

    @contextmanager
    def _text(self) -> Iterator[io.TextIOWrapper]:
        self.stream.seek(0)
        text = io.TextIOWrapper(self.stream, encoding=self.encoding, newline="")
        try:
            yield text
        finally:
            text.detach()  # leave the caller's stream open

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        """Yield (line number, cells) for every record after the optional "sep=" line."""
        with self._text() as text:
            reader = csv.reader(text, delimiter=self.delimiter)
            line = 0
            try:
                if self.skip_first:
                    next(reader, None)
                for cells in reader:
                    line += 1
                    yield line, cells
            except csv.Error as error:
                raise CsvFileError(f"Line {line + 1} cannot be read as CSV: {error}.") from None

    def _read_header(self) -> None:
        with self._text() as text:
            first_line = ""
            for _ in range(20):  # the first non-blank line, within reason
                first_line = text.readline()
                if first_line.strip() or not first_line:
                    break
            first_line = first_line.strip("\r\n")
        if first_line.lower().startswith("sep=") and len(first_line) == 5:
            self.delimiter, self.skip_first = first_line[4], True
        else:
            self.delimiter = sniff_delimiter(first_line)
        header = next(((line, cells) for line, cells in self._records() if any(c.strip() for c in cells)), None)
        if header is None:
            raise CsvFileError("The file is empty. Its first line must name the columns, e.g. name,email,company.")
        self.header_line, cells = header
        self.width = len(cells)
        self.header_cells = cells
        if self.known is None:
            return  # the caller maps the columns itself (see hiring.column_mapping)
        for index, cell in enumerate(cells):
            key = header_key(cell)
            if not key:
                continue  # a blank header cell, as spreadsheets leave after the last column
            if key not in self.known:
                self.unknown.append(cell.strip())
            elif key in self.columns:
                first = column_letter(self.columns[key])
                raise CsvFileError(f"The column {key} appears twice (columns {first} and {column_letter(index)}).")
            else:
                self.columns[key] = index
        if not self.columns:
            raise CsvFileError(
                "The first line must name the columns, but none of its cells is a column Bench knows. "
                f"Found: {', '.join(self.unknown[:10])}. Known columns: {', '.join(self.known)}."
            )
        self.check(self)

    def letter(self, column: str) -> str | None:
        """Return the spreadsheet letter of a known column, or None if the file does not have it."""
        index = self.columns.get(column)
        return column_letter(index) if index is not None else None

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Yield (line number, cells) of every data row with any content; blank rows are skipped but counted."""
        for line, cells in self._records():
            if line > self.header_line and any(cell.strip() for cell in cells):
                yield line, cells

    def count_rows(self, stop_after: int | None = None) -> int:
        """Return the number of data rows, counting no further than ``stop_after``."""
        return count_rows(self.rows(), stop_after)

    def cells_by_column(self, cells: list[str]) -> dict[str, str]:
        """Return the known columns' cells of one row, trimmed; missing trailing cells are empty."""
        return {name: unguarded(cells[index]) if index < len(cells) else "" for name, index in self.columns.items()}

    def extra_cells(self, cells: list[str]) -> int:
        """Return how many non-empty cells a row has beyond the header's columns."""
        return sum(1 for cell in cells[self.width :] if cell.strip())

    def position(self) -> int:
        """Return how many bytes of the file have been read so far (for progress bars)."""
        return self.stream.tell()


def check_candidate_columns(csv_file: CsvFile) -> None:
    """A candidate file needs a name, whole or in parts."""
    if not any(name in csv_file.columns for name in NAME_COLUMNS):
        raise CsvFileError("The file needs a name column, or first_name and last_name columns.")


def unguarded(cell: str) -> str:
    """Trim a cell and drop the apostrophe that Bench's exports put before formula-like text ('=..., '+...)."""
    cell = cell.strip()
    if cell.startswith("'") and cell[1:2] in FORMULA_STARTS:
        return cell[1:]
    return cell


def read_csv(data: bytes | BinaryIO, columns: tuple[str, ...] | None = COLUMNS, check=None) -> CsvFile:
    """Open CSV bytes or a seekable binary stream; raise CsvFileError if it cannot be imported.

    ``columns`` are the header names read (others are reported as unknown), or None to
    keep the header as written for the caller to map; ``check(csv_file)`` raises
    CsvFileError if the header lacks what the import needs.
    """
    return CsvFile(io.BytesIO(data) if isinstance(data, bytes) else data, columns, check)
