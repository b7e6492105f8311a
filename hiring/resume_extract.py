"""Deciding what a resume file is from its bytes, and reading its text: the part that runs in a child process.

This module imports nothing from Bench, so ``hiring.resume_files`` can run it as a script
(``python -I resume_extract.py``) in a child process with a memory limit and a timeout: a
decompression bomb or a parser bug then costs a short-lived process, never the server.
The parent also imports ``sniff`` and ``check_docx_members`` from here to refuse a file before
starting a child.

The child reads the file from standard input and writes one JSON object to standard output:
``{"ok": true, "text": ..., "truncated": ..., "peak_rss_kb": ...}`` or ``{"ok": false, "error": ...}``.
"""

import io
import json
import sys
import zipfile

PDF = "pdf"
DOCX = "docx"
PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .doc files, and password-protected DOCX
DOCX_REQUIRED = ("[Content_Types].xml", "word/document.xml")

# A DOCX is a zip: its members are checked from the zip's directory before anything is inflated.
DOCX_MAX_MEMBERS = 2_000
DOCX_MAX_TOTAL = 50 * 1024 * 1024  # bytes once inflated, all members together
DOCX_MAX_RATIO = 100  # inflated / compressed size of one member...
DOCX_RATIO_FLOOR = 1024 * 1024  # ...checked for members that inflate to more than this (tiny ones vary)
DOCX_MAX_DOCUMENT = 20 * 1024 * 1024  # word/document.xml itself

# pypdf's limits on what one stream may inflate to (its defaults are 75 MB each).
PDF_MAX_STREAM = 20 * 1024 * 1024
PDF_MAX_PAGES = 50

# Characters of text returned; the store keeps at most this much per resume too.
TEXT_MAX = 200_000

W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

NOT_A_RESUME = (
    "This file is neither a PDF nor a Word (DOCX) document, whatever its name says. "
    "Save the resume as PDF or DOCX and upload that."
)
OLD_WORD = (
    "This is an old Word (.doc) file or a password-protected document, which Bench cannot read. "
    "Save it as PDF or DOCX (without a password) and upload that."
)
NOT_DOCX = "This zip file is not a Word (DOCX) document: it has no word/document.xml. Upload the resume as PDF or DOCX."
BROKEN_ZIP = "This Word (DOCX) file is damaged: its zip structure cannot be read. Save it again and upload a new copy."
DOCX_TOO_BIG = (
    "This Word (DOCX) file would expand to more than {limit} MB, far more than any resume; it was refused "
    "(it may be a zip bomb). Save the resume again, or as PDF, and upload that."
)
DOCX_RATIO = (
    "A part of this Word (DOCX) file is compressed more than {ratio} times, which no resume is; it was refused "
    "(it may be a zip bomb). Save the resume again, or as PDF, and upload that."
)
DOCX_TOO_MANY = "This Word (DOCX) file has more than {limit:,} parts, far more than any resume; it was refused."
DOCX_BAD_XML = "This Word (DOCX) file is damaged or uses features Bench refuses (XML entities); its text is unreadable."
PDF_BOMB = (
    "A part of this PDF expands to more than {limit} MB, far more than any resume; it was refused "
    "(it may be a decompression bomb). Print it to a new PDF and upload that."
)
PDF_BROKEN = "This PDF is damaged and its text cannot be read ({detail}). Print it to a new PDF and upload that."
PDF_LOCKED = "This PDF is password-protected. Remove the password (print it to a new PDF) and upload that."
MEMORY = "Reading this file needed too much memory, so it was stopped. Print or save it again and upload the new copy."


class ExtractError(Exception):
    """The file was refused or could not be read; the message says why, for the user."""


def sniff(data: bytes) -> str:
    """Return PDF or DOCX from the file's first bytes and (for a zip) its member names; else raise ExtractError."""
    if data.startswith(PDF_MAGIC):
        return PDF
    if data.startswith(OLE_MAGIC):
        raise ExtractError(OLD_WORD)
    if data.startswith(ZIP_MAGIC):
        check_docx_members(data)
        return DOCX
    raise ExtractError(NOT_A_RESUME)


def check_docx_members(data: bytes) -> list[zipfile.ZipInfo]:
    """Check a DOCX's zip directory (names, count, inflated sizes, ratios) without inflating anything."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError) as error:
        raise ExtractError(BROKEN_ZIP) from error
    names = {member.filename for member in members}
    if not all(name in names for name in DOCX_REQUIRED):
        raise ExtractError(NOT_DOCX)
    if len(members) > DOCX_MAX_MEMBERS:
        raise ExtractError(DOCX_TOO_MANY.format(limit=DOCX_MAX_MEMBERS))
    if sum(member.file_size for member in members) > DOCX_MAX_TOTAL:
        raise ExtractError(DOCX_TOO_BIG.format(limit=DOCX_MAX_TOTAL // (1024 * 1024)))
    for member in members:
        if member.file_size > DOCX_RATIO_FLOOR and member.file_size > DOCX_MAX_RATIO * max(member.compress_size, 1):
            raise ExtractError(DOCX_RATIO.format(ratio=DOCX_MAX_RATIO))
    return members


def docx_text(data: bytes) -> str:
    """Return the text of a DOCX's main document, paragraph by paragraph, parsed without DTDs or entities."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, iterparse

    check_docx_members(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open("word/document.xml") as member:
            # The directory's sizes were checked, but a lying header must not get past this read either.
            document = member.read(DOCX_MAX_DOCUMENT + 1)
    except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError, RuntimeError, OSError) as error:
        raise ExtractError(BROKEN_ZIP) from error  # a bad checksum, an unknown compression, an encrypted member
    if len(document) > DOCX_MAX_DOCUMENT:
        raise ExtractError(DOCX_TOO_BIG.format(limit=DOCX_MAX_DOCUMENT // (1024 * 1024)))
    paragraphs, words, size = [], [], 0
    try:
        for _event, element in iterparse(io.BytesIO(document), events=("end",), forbid_dtd=True):
            if element.tag == W_NS + "t":
                words.append(element.text or "")
                size += len(element.text or "")
            elif element.tag == W_NS + "tab":
                words.append("\t")
            elif element.tag in (W_NS + "br", W_NS + "cr"):
                words.append("\n")
            elif element.tag == W_NS + "p":
                paragraphs.append("".join(words))
                words = []
                element.clear()  # keep memory flat on long documents
            if size > TEXT_MAX:
                break
    except (ParseError, DefusedXmlException) as error:
        raise ExtractError(DOCX_BAD_XML) from error
    if words:
        paragraphs.append("".join(words))
    return "\n".join(paragraphs)


def pdf_text(data: bytes) -> str:
    """Return the text of a PDF's first pages, with pypdf's decompression limits tightened."""
    import pypdf
    from pypdf.errors import FileNotDecryptedError, LimitReachedError, PyPdfError

    limits = {
        name: PDF_MAX_STREAM
        for name in (
            "maximum_declared_stream_length",
            "array_based_stream_maximum_output_length",
            "jbig2_maximum_output_length",
            "lzw_maximum_output_length",
            "run_length_maximum_output_length",
            "zlib_maximum_output_length",
            "image_maximum_buffer_size",
        )
    }
    # Never start an external decoder (jbig2dec) on an uploaded file.
    with pypdf.apply_configuration(jbig2dec_binary=None, disable_legacy_handling=True, **limits):
        try:
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):  # an owner password alone still opens
                raise ExtractError(PDF_LOCKED)
            parts, size = [], 0
            for number, page in enumerate(reader.pages):
                if number >= PDF_MAX_PAGES or size > TEXT_MAX:
                    break
                text = page.extract_text() or ""
                parts.append(text)
                size += len(text)
        except LimitReachedError as error:
            raise ExtractError(PDF_BOMB.format(limit=PDF_MAX_STREAM // (1024 * 1024))) from error
        except (FileNotDecryptedError, pypdf.errors.DependencyError) as error:
            raise ExtractError(PDF_LOCKED) from error
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as error:
            # pypdf surfaces malformed structure as any of these; the user needs only "damaged".
            raise ExtractError(PDF_BROKEN.format(detail=type(error).__name__)) from error
    return "\n".join(parts)


def extract(data: bytes) -> str:
    """Return the text of a resume file, judged by its content; raise ExtractError if it is refused."""
    kind = sniff(data)
    text = pdf_text(data) if kind == PDF else docx_text(data)
    return text.replace("\x00", "")


def limit_resources(memory_bytes: int, cpu_seconds: int) -> None:
    """Cap this process's address space and CPU time (a backstop under the parent's wall-clock timeout)."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def peak_rss_kb() -> int | None:
    """This process's peak resident memory in KiB, or None where the system does not say.

    Read from /proc (VmHWM): ru_maxrss would include the parent's memory, which Linux carries across exec.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def main(argv: list[str]) -> int:
    """Child entry point: ``resume_extract.py MEMORY_BYTES CPU_SECONDS``, the file on stdin, JSON on stdout."""
    limit_resources(int(argv[1]), int(argv[2]))
    data = sys.stdin.buffer.read()
    try:
        text = extract(data)
        result = {"ok": True, "text": text[:TEXT_MAX], "truncated": len(text) > TEXT_MAX}
    except ExtractError as error:
        result = {"ok": False, "error": str(error)}
    except MemoryError:
        result = {"ok": False, "error": MEMORY}
    result["peak_rss_kb"] = peak_rss_kb()
    sys.stdout.buffer.write(json.dumps(result).encode())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
