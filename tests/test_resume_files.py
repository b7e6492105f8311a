"""Resume files: checked by content, size capped, text read in a limited child process, stored, served, erased.

Every file is built here in code: a minimal PDF written by hand, a DOCX zipped from its two
required parts, a PDF decompression bomb, DOCX zip bombs, files whose extension lies.
"""

import io
import re
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from hiring import resume_files
from hiring.merge import merge_candidates
from hiring.pool import pool_query
from hiring.resume_files import ResumeRefused, check_resume, run_worker
from hiring.resume_import import emails_in, guess_name, import_resume_folder
from hiring.resume_store import resume_path, resumes_folder, store_resume
from hiring.retention import anonymise, erase, holdings, person_data
from models import AuditEntry, Candidate, ResumeFile, ResumeKind, Role, db
from tests.factories import make_candidate, make_user, sign_in_as

# Figures printed by the bomb tests (run with -s to see them), for the report.
FIGURES: dict[str, str] = {}


# Building files ----------------------------------------------------------------------


def make_pdf(content: bytes, filters: str = "") -> bytes:
    """A one-page PDF whose page draws ``content`` (a content stream, compressed as ``filters`` says)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d%s >>\nstream\n" % (len(content), filters.encode()) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def text_pdf(*lines: str) -> bytes:
    """A PDF showing these lines of text, compressed with /FlateDecode like real ones."""
    ops = [b"BT /F1 12 Tf 72 720 Td 14 TL"]
    for line in lines:
        escaped = line.encode("latin-1").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
        ops.append(b"(" + escaped + b") '")
    ops.append(b"ET")
    return make_pdf(zlib.compress(b"\n".join(ops)), " /Filter /FlateDecode")


def deflated_zeros(megabytes: int) -> bytes:
    """``megabytes`` MB of zero bytes, deflated (about a thousandth of that), built without holding them."""
    compressor = zlib.compressobj(9)
    chunk = bytes(1024 * 1024)
    return b"".join([*(compressor.compress(chunk) for _ in range(megabytes)), compressor.flush()])


CONTENT_TYPES_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def document_xml(*paragraphs: str) -> bytes:
    """word/document.xml with one paragraph per string."""
    body = "".join(f'<w:p><w:r><w:t xml:space="preserve">{p}</w:t></w:r></w:p>' for p in paragraphs)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    ).encode()


def make_docx(document: bytes, *extra: tuple[str, bytes]) -> bytes:
    """A DOCX: a zip with [Content_Types].xml, word/document.xml and any extra parts."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES_XML)
        archive.writestr("word/document.xml", document)
        for name, data in extra:
            archive.writestr(name, data)
    return out.getvalue()


def text_docx(*paragraphs: str) -> bytes:
    """A DOCX with these paragraphs."""
    return make_docx(document_xml(*paragraphs))


def docx_zip_bomb(megabytes: int = 300) -> bytes:
    """A DOCX with a part that inflates to ``megabytes`` MB of zeros (a few hundred KB on disk)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES_XML)
        archive.writestr("word/document.xml", document_xml("Dana Reyes"))
        with archive.open("word/media/image1.png", "w") as member:
            chunk = bytes(1024 * 1024)
            for _ in range(megabytes):
                member.write(chunk)
    return out.getvalue()


def lying_docx_bomb(megabytes: int = 200) -> bytes:
    """A DOCX whose document.xml inflates to ``megabytes`` MB while its zip headers claim 2 KB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES_XML)
        with archive.open("word/document.xml", "w") as member:
            member.write(b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">')
            chunk = b" " * (1024 * 1024)
            for _ in range(megabytes):
                member.write(chunk)
    data = bytearray(out.getvalue())
    claimed = (2048).to_bytes(4, "little")
    member = next(i for i in zipfile.ZipFile(out).infolist() if i.filename == "word/document.xml")
    data[member.header_offset + 22 : member.header_offset + 26] = claimed  # the local header's size
    end = data.rfind(b"PK\x05\x06")
    entry = int.from_bytes(data[end + 16 : end + 20], "little")  # the central directory's first entry
    while data[entry : entry + 4] == b"PK\x01\x02":
        name_length, extra_length, comment_length = (
            int.from_bytes(data[entry + offset : entry + offset + 2], "little") for offset in (28, 30, 32)
        )
        if data[entry + 46 : entry + 46 + name_length] == b"word/document.xml":
            data[entry + 24 : entry + 28] = claimed
        entry += 46 + name_length + extra_length + comment_length
    return bytes(data)


def upload(client, candidate_id: int, data: bytes, name: str):
    """Post a file to a candidate's resume upload."""
    return client.post(
        f"/candidates/{candidate_id}/resumes",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def stored_files(app) -> list[Path]:
    """The files in the resumes folder (no half-written .part files either)."""
    with app.app_context():
        return sorted(resumes_folder().iterdir())


def resume_rows(app) -> list[ResumeFile]:
    """Every resume row."""
    with app.app_context():
        return db.session.scalars(db.select(ResumeFile).order_by(ResumeFile.id)).all()


# Upload, search, download ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "kind", "download_type"),
    [
        (text_pdf("Dana Reyes", "dana.reyes@example.com", "Closed Zanzibarite accounts"), "Dana CV.pdf", "pdf",
         "application/pdf"),
        (text_docx("Dana Reyes", "dana.reyes@example.com", "Closed Zanzibarite accounts"), "Dana CV.docx", "docx",
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
)  # fmt: skip
def test_an_uploaded_resume_is_read_searchable_and_downloaded_as_an_attachment(
    app, client, manager, data, name, kind, download_type
):
    with app.app_context():
        candidate = make_candidate(name="Dana Reyes")
    response = upload(client, candidate.id, data, name)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/candidates/{candidate.id}#resumes")
    [resume] = resume_rows(app)
    assert resume.kind.value == kind and resume.source == "upload" and resume.size == len(data)
    assert "Zanzibarite" in resume.text and resume.uploaded_by_id == manager.id
    with app.app_context():
        assert [c.id for c in db.session.scalars(pool_query({"q": "zanzibarite"}))] == [candidate.id]
        assert resume_path(resume).read_bytes() == data
        assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "resume.attached")) is not None

    page = client.get(f"/candidates/{candidate.id}").text
    assert "Resumes" in page and name in page and "Upload resume" in page

    download = client.get(f"/candidates/{candidate.id}/resumes/{resume.id}")
    assert download.status_code == 200 and download.data == data
    assert download.headers["Content-Disposition"] == f'attachment; filename="Dana CV.{kind}"'
    assert download.headers["Content-Type"] == download_type
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download.headers["Cache-Control"]

    again = upload(client, candidate.id, data, "copy." + kind)
    assert again.status_code == 302 and len(resume_rows(app)) == 1  # the same file is one attachment
    assert "already attached" in client.get(again.headers["Location"]).text


def test_a_download_name_never_carries_what_the_uploader_typed_into_the_header(app, client, manager):
    with app.app_context():
        candidate = make_candidate()
    upload(client, candidate.id, text_pdf("x"), 'evil"; filename=a.html\r\n.pdf')
    [resume] = resume_rows(app)
    disposition = client.get(f"/candidates/{candidate.id}/resumes/{resume.id}").headers["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="?[\w .()-]+\.pdf"?', disposition), disposition


def test_only_managers_and_admins_see_upload_download_or_delete_resumes(app, client):
    with app.app_context():
        candidate = make_candidate()
        resume, _ = store_resume(db.session.get(Candidate, candidate.id), ResumeKind.PDF, "cv.pdf", text_pdf("x"),
                                 "x", "upload", None)  # fmt: skip
        db.session.commit()
        resume_id = resume.id
        interviewer = make_user(Role.INTERVIEWER)
        admin = make_user(Role.ADMIN)
    base = f"/candidates/{candidate.id}/resumes"
    assert client.get(f"{base}/{resume_id}").status_code == 302  # anonymous: the sign-in page
    sign_in_as(client, interviewer)
    assert client.get(f"{base}/{resume_id}").status_code == 403
    assert upload(client, candidate.id, text_pdf("y"), "y.pdf").status_code == 403
    assert client.post(f"{base}/{resume_id}/delete").status_code == 403
    assert len(resume_rows(app)) == 1
    sign_in_as(client, admin)
    assert client.get(f"{base}/{resume_id}").status_code == 200
    other = None
    with app.app_context():
        other = make_candidate()
    assert client.get(f"/candidates/{other.id}/resumes/{resume_id}").status_code == 404  # not that person's


def test_deleting_a_resume_asks_first_then_removes_the_file_and_its_words(app, client, manager):
    with app.app_context():
        candidate = make_candidate()
    upload(client, candidate.id, text_pdf("Quokkaville"), "cv.pdf")
    [resume] = resume_rows(app)
    url = f"/candidates/{candidate.id}/resumes/{resume.id}/delete"
    assert "Delete the resume cv.pdf?" in client.get(url).text
    assert len(stored_files(app)) == 1
    response = client.post(url)
    assert response.status_code == 302 and resume_rows(app) == [] and stored_files(app) == []
    with app.app_context():
        assert list(db.session.scalars(pool_query({"q": "quokkaville"}))) == []
        assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "resume.deleted")) is not None


def test_with_csrf_on_the_panel_form_uploads_and_a_refused_file_shows_its_reason_in_the_panel(app, client, manager):
    app.config["WTF_CSRF_ENABLED"] = True
    with app.app_context():
        candidate = make_candidate()
    page = client.get(f"/candidates/{candidate.id}").text
    panel = page[page.index('id="resumes"') :]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', panel).group(1)
    response = client.post(
        f"/candidates/{candidate.id}/resumes",
        data={"csrf_token": token, "file": (io.BytesIO(b"plain text"), "cv.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and 'class="form-control is-invalid"' in response.text
    assert "neither a PDF nor a Word (DOCX)" in response.text[response.text.index('id="resumes"') :]
    response = client.post(
        f"/candidates/{candidate.id}/resumes",
        data={"csrf_token": token, "file": (io.BytesIO(text_pdf("x")), "cv.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302 and len(resume_rows(app)) == 1


# Files that lie, bombs, damage, size, time ---------------------------------------------------------


def test_a_pdf_named_docx_is_taken_as_a_pdf_and_a_text_file_named_pdf_is_refused(app, client, manager):
    with app.app_context():
        candidate = make_candidate()
    assert upload(client, candidate.id, text_pdf("Really a PDF"), "resume.docx").status_code == 302
    [resume] = resume_rows(app)
    assert resume.kind == ResumeKind.PDF and "Really a PDF" in resume.text
    download = client.get(f"/candidates/{candidate.id}/resumes/{resume.id}")
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"] == "attachment; filename=resume.pdf"

    for data, name in (
        (b"Dana Reyes\ndana@example.com\n", "resume.pdf"),
        (b"MZ\x90\x00\x03\x00\x00\x00 a Windows program", "resume.pdf"),
        (make_docx(document_xml("x"))[:0] + b"PK\x03\x04 not really a zip", "resume.docx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old Word", "resume.docx"),
    ):
        response = upload(client, candidate.id, data, name)
        assert response.status_code == 400
        assert any(
            message in response.text
            for message in ("neither a PDF nor a Word (DOCX)", "damaged", "old Word (.doc) file")
        ), response.text
    docx_without_document = io.BytesIO()
    with zipfile.ZipFile(docx_without_document, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES_XML)
    response = upload(client, candidate.id, docx_without_document.getvalue(), "resume.docx")
    assert response.status_code == 400 and "no word/document.xml" in response.text
    assert len(resume_rows(app)) == 1 and len(stored_files(app)) == 1  # nothing more stored


def test_a_pdf_decompression_bomb_is_refused_quickly_with_bounded_memory(app):
    bomb = make_pdf(deflated_zeros(400), " /Filter /FlateDecode")  # inflates to 400 MB
    assert len(bomb) < 1024 * 1024
    with app.app_context():
        started = time.monotonic()
        result = run_worker(bomb)
        seconds = time.monotonic() - started
        with pytest.raises(ResumeRefused, match="decompression bomb"):
            check_resume(bomb)
    assert not result["ok"] and "decompression bomb" in result["error"]
    assert seconds < 5  # the timeout is 10 s: refused by pypdf's limit, not by the clock
    assert result["peak_rss_kb"] < 200 * 1024  # far below the 400 MB the stream would inflate to
    FIGURES["pdf bomb"] = f"{len(bomb):,} bytes → 400 MB: refused in {seconds:.2f} s, child peak RSS "
    FIGURES["pdf bomb"] += f"{result['peak_rss_kb'] / 1024:.0f} MB"
    print(FIGURES["pdf bomb"])


def test_docx_zip_bombs_are_refused_quickly_with_bounded_memory(app):
    bomb = docx_zip_bomb(300)
    with app.app_context():
        started = time.monotonic()
        with pytest.raises(ResumeRefused, match="zip bomb"):
            check_resume(bomb)  # refused from the zip directory, before any child starts
        seconds = time.monotonic() - started
        assert seconds < 1

        lying = lying_docx_bomb(200)  # the directory says 2 KB: only the bounded read stops it
        started = time.monotonic()
        result = run_worker(lying)
        lying_seconds = time.monotonic() - started
    assert not result["ok"] and "damaged" in result["error"]
    assert lying_seconds < 5 and result["peak_rss_kb"] < 200 * 1024
    FIGURES["docx bombs"] = (
        f"{len(bomb):,} bytes → 300 MB: refused in {seconds * 1000:.0f} ms (no child); lying headers, "
        f"{len(lying):,} bytes → 200 MB: refused in {lying_seconds:.2f} s, child peak RSS "
        f"{result['peak_rss_kb'] / 1024:.0f} MB"
    )
    print(FIGURES["docx bombs"])


def test_a_docx_with_xml_entities_is_refused(app):
    billion_laughs = make_docx(
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>"
    )
    with app.app_context(), pytest.raises(ResumeRefused, match="XML entities"):
        check_resume(billion_laughs)


def test_a_malformed_pdf_gets_a_clear_error_and_nothing_is_stored(app, client, manager):
    with app.app_context():
        candidate = make_candidate()
    broken = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer << /Root 9 0 R >>\n"
    response = upload(client, candidate.id, broken, "cv.pdf")
    assert response.status_code == 400 and "This PDF is damaged" in response.text
    assert resume_rows(app) == [] and stored_files(app) == []


def test_an_oversized_upload_gets_413_before_the_form_is_read(app, client, manager):
    app.config["WTF_CSRF_ENABLED"] = True  # the limit must apply before CSRF protection reads the form
    with app.app_context():
        candidate = make_candidate()
    big = b"%PDF-1.7\n" + bytes(11 * 1024 * 1024)  # over the 10 MB default, under the 16 MB app-wide limit
    response = upload(client, candidate.id, big, "cv.pdf")
    assert response.status_code == 413 and "larger than 10 MB" in response.text
    assert resume_rows(app) == [] and stored_files(app) == []


def test_a_file_over_a_smaller_configured_limit_is_refused(app):
    app.config["RESUME_MAX_BYTES"] = 1024
    with app.app_context(), pytest.raises(ResumeRefused, match="at most 1 KB"):
        check_resume(text_pdf("x" * 2000) + bytes(2048))


def test_extraction_that_hangs_is_killed_at_the_timeout(app, monkeypatch):
    app.config["RESUME_EXTRACT_TIMEOUT"] = 1
    monkeypatch.setattr(resume_files, "worker_command", lambda: [sys.executable, "-c", "import time; time.sleep(60)"])
    with app.app_context():
        started = time.monotonic()
        with pytest.raises(ResumeRefused, match="took longer than 1 seconds"):
            check_resume(text_pdf("x"))
    assert time.monotonic() - started < 5


def test_extraction_is_held_to_its_memory_limit(app):
    app.config["RESUME_EXTRACT_MEMORY"] = 24 * 1024 * 1024  # too little to even load pypdf
    with app.app_context(), pytest.raises(ResumeRefused, match="memory"):
        check_resume(text_pdf("x"))


# Folder import ---------------------------------------------------------------------------


def test_names_and_e_mails_are_found_at_the_top_of_a_resume():
    text = "DANA REYES\nAccount Executive\ndana.reyes@Example.com | linkedin.com/in/dana\n" + "x\n" * 1000
    assert guess_name(text, Path("whatever.pdf")) == "Dana Reyes"
    assert emails_in(text + "References: boss@example.com") == ["dana.reyes@example.com"]
    assert guess_name("Curriculum Vitae\n2024\n", Path("jordan_smith-resume-2024.pdf")) == "Jordan Smith"


def test_the_folder_import_creates_matches_flags_duplicates_and_can_run_again(app, runner, tmp_path):
    with app.app_context():
        existing = make_candidate(name="Dana Reyes", email="dana@work.example", alt_email="dana.reyes@example.com")
        look_alike = make_candidate(name="L. Park", linkedin_url="https://www.linkedin.com/in/lee-park-sales")
    folder = tmp_path / "resumes"
    folder.mkdir()
    (folder / "dana.pdf").write_bytes(text_pdf("Dana Reyes", "dana.reyes@example.com", "Enterprise AE"))
    (folder / "lee.docx").write_bytes(
        text_docx("Lee Park", "lee.park@example.com · linkedin.com/in/lee-park-sales", "SDR at Globex")
    )
    (folder / "jordan_smith_resume.docx").write_bytes(text_pdf("Curriculum Vitae", "Sales rep, 2019-2024"))
    (folder / "notes.txt").write_text("not a resume")
    (folder / "broken.pdf").write_bytes(b"just text, named .pdf")

    result = runner.invoke(args=["import", "resumes", str(folder)])
    assert result.exit_code == 1 and "broken.pdf: This file is neither a PDF nor a Word" in result.output
    assert "Nothing was imported" in result.output and resume_rows(app) == [] and stored_files(app) == []

    result = runner.invoke(args=["import", "resumes", str(folder), "--skip-invalid"])
    assert result.exit_code == 0, result.output
    assert (
        "4 resume files: 2 new candidates, 1 attached to existing candidates, 0 already attached, "
        "1 possible duplicates flagged for merge, 1 with errors."
    ) in result.output
    assert "Ignored 1 file" in result.output
    with app.app_context():
        by_name = {c.name: c for c in db.session.scalars(db.select(Candidate))}
        assert set(by_name) == {"Dana Reyes", "L. Park", "Lee Park", "Jordan Smith"}
        lee = by_name["Lee Park"]
        assert lee.email == "lee.park@example.com"
        assert f"/candidates/{lee.id}/merge/{look_alike.id}" in result.output and "same LinkedIn URL" in result.output
        dana_resumes = db.session.scalars(db.select(ResumeFile).where(ResumeFile.candidate_id == existing.id)).all()
        assert [r.source for r in dana_resumes] == ["folder"]
        assert by_name["Jordan Smith"].email is None
        jordan_resume = db.session.scalar(
            db.select(ResumeFile).where(ResumeFile.candidate_id == by_name["Jordan Smith"].id)
        )
        assert jordan_resume.kind == ResumeKind.PDF  # judged by content, though named .docx
    assert len(stored_files(app)) == 3

    again = runner.invoke(args=["import", "resumes", str(folder), "--skip-invalid"])
    assert "0 new candidates, 0 attached to existing candidates, 3 already attached" in again.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Candidate.id))) == 4
    assert len(resume_rows(app)) == 3 and len(stored_files(app)) == 3

    (folder / "broken.pdf").unlink()
    (folder / "dana-2.docx").write_bytes(text_docx("Dana Reyes", "dana@work.example", "Updated resume"))
    with app.app_context():
        report = import_resume_folder(folder)
    assert report.committed and (report.created, report.updated, report.unchanged) == (0, 1, 3)


# Erasure, anonymisation, access, merge ---------------------------------------------------------


def attach(candidate_id: int, *lines: str) -> ResumeFile:
    """Attach a PDF with these lines to a candidate (inside an app context) and commit."""
    resume, _ = store_resume(
        db.session.get(Candidate, candidate_id), ResumeKind.PDF, "cv.pdf", text_pdf(*lines), "\n".join(lines),
        "upload", None,
    )  # fmt: skip
    db.session.commit()
    return resume


def test_erasure_deletes_the_files_from_disk(app):
    with app.app_context():
        candidate = make_candidate()
        keep = make_candidate()
        attach(candidate.id, "one")
        attach(candidate.id, "two")
        kept = attach(keep.id, "three")
        assert len(person_data(db.session.get(Candidate, candidate.id))["resume_files"]) == 2
        assert (2, "resume files") in holdings(candidate.id)
        erase(db.session.get(Candidate, candidate.id))
        db.session.commit()
        assert stored_files(app) == [resume_path(kept)]
        assert [r.candidate_id for r in resume_rows(app)] == [keep.id]


def test_anonymisation_removes_the_resumes_and_their_text(app):
    with app.app_context():
        candidate = make_candidate()
        attach(candidate.id, "Wombatfield", "rosa@example.com")
        anonymise(db.session.get(Candidate, candidate.id), reason="consent_expired")
        db.session.commit()
        assert resume_rows(app) == [] and stored_files(app) == []
        assert db.session.get(Candidate, candidate.id).resume_text == ""
        assert list(db.session.scalars(pool_query({"q": "wombatfield"}))) == []


def test_the_access_export_lists_the_resume_files(app):
    with app.app_context():
        candidate = make_candidate()
        resume = attach(candidate.id, "Rosa")
        [listed] = person_data(db.session.get(Candidate, candidate.id))["resume_files"]
    assert listed["name"] == "cv.pdf" and listed["kind"] == "pdf" and listed["sha256"] == resume.sha256
    assert listed["size"] == resume.size and listed["uploaded_at"]


def test_merging_moves_resumes_to_the_survivor_and_drops_a_file_it_has_already(app):
    with app.app_context():
        survivor = make_candidate(name="Rosa Quinlan")
        other = make_candidate(name="Rosa Q.")
        attach(survivor.id, "shared")
        duplicate = attach(other.id, "shared")
        moved = attach(other.id, "Platypusburg")
        duplicate_path = resume_path(duplicate)
        merge_candidates(db.session.get(Candidate, survivor.id), db.session.get(Candidate, other.id), {})
        assert duplicate_path.exists()  # deleted only once the merge commits
        db.session.commit()
        assert not duplicate_path.exists() and resume_path(moved).exists()
        assert {r.candidate_id for r in resume_rows(app)} == {survivor.id} and len(resume_rows(app)) == 2
        assert [c.id for c in db.session.scalars(pool_query({"q": "platypusburg"}))] == [survivor.id]
