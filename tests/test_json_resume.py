"""JSON Resume: the public samples and sales resumes import once, bad documents are refused by path, export."""

import json
import shutil
import time
from pathlib import Path

import pytest

from hiring.json_resume import (
    MAX_BYTES,
    DocumentError,
    candidate_to_json_resume,
    check_document,
    import_documents,
    import_path,
    map_document,
    schema,
    validator,
)
from hiring.pool import pool_query
from hiring.resume_store import resume_path, resumes_folder
from models import AuditEntry, Candidate, ResumeFile, ResumeKind, Role, StatusChange, db
from tests.factories import make_candidate, make_user, sign_in_as

FIXTURES = Path(__file__).parent / "fixtures" / "json_resume"
SAMPLES = ("sample.resume.json", "complete.json")
SALES = ("dana-reyes.json", "marcus-oyelaran.json", "priya-natarajan.json")


def fixture(name: str) -> bytes:
    """Return the bytes of a fixture file."""
    return (FIXTURES / name).read_bytes()


def problems_of(data: bytes) -> list[tuple[str | None, str]]:
    """Return the problems check_document finds in a document (failing if it finds none)."""
    with pytest.raises(DocumentError) as caught:
        check_document(data)
    return caught.value.problems


def count(model) -> int:
    """Return the number of rows of a model."""
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def searched(words: str) -> list[int]:
    """Return the ids of the candidates a pool search finds."""
    return [candidate.id for candidate in db.session.scalars(pool_query({"q": words}))]


def stored_files() -> list[Path]:
    """Return the files in the resumes folder."""
    return sorted(resumes_folder().iterdir())


# The schema and the mapping (no database) ------------------------------------------------


def test_the_kept_schema_is_a_valid_draft7_schema_and_the_public_samples_pass_it():
    validator().check_schema(schema())
    for name in SAMPLES + SALES:
        assert list(validator().iter_errors(json.loads(fixture(name)))) == [], name
        check_document(fixture(name))


def test_the_public_sample_maps_to_the_record_and_leaves_references_out_of_the_text():
    values = map_document(check_document(fixture("sample.resume.json")))
    assert (values.name, values.email, values.phone) == (
        "Richard Hendriks",
        "richard.hendriks@mail.com",
        "(912) 555-4321",
    )
    assert values.location == "San Francisco, California, US"
    assert (values.company, values.title) == ("Pied Piper", "CEO/President")
    assert values.tags[:4] == ["web development", "html", "css", "javascript"]
    assert "Weisman Scores" in values.text and "University of Oklahoma" in values.text and "Ferrets" in values.text
    assert "Erlich" not in values.text and "pleasure to recommend" not in values.text
    assert "2712 Broadway" not in values.text  # the street address stays in the file only
    assert any("References" in note for note in values.notes)


def test_sales_resumes_map_current_job_linkedin_label_and_skills():
    dana = map_document(check_document(fixture("dana-reyes.json")))
    assert (dana.company, dana.title) == ("Northwind Traders", "Enterprise Account Executive")  # no end date
    assert dana.linkedin_url == "https://www.linkedin.com/in/dana-reyes-example"
    assert dana.location == "Austin, TX, US"
    assert {"meddicc", "salesforce", "enterprise saas sales", "negotiation"} <= set(dana.tags)
    assert "Presidents Club" in dana.text and "Fabrikam" in dana.text and "quixotically" not in dana.text

    marcus = map_document(check_document(fixture("marcus-oyelaran.json")))
    assert (marcus.company, marcus.title) == ("Wingtip Software", "Regional Sales Director")  # the latest start
    assert marcus.email == "marcus.oyelaran@example.org"
    assert marcus.linkedin_url == "https://uk.linkedin.com/in/marcus-oyelaran-example"  # found by its URL

    priya = map_document(check_document(fixture("priya-natarajan.json")))
    assert (priya.company, priya.title, priya.email) == (None, "Sales Development Representative", None)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "wrong-types.json",
            [
                ("basics.phone", "Should be text, not a number (“4155550100”)."),
                ("basics.profiles", "Should be a list, not an object"),
                ("work[0].highlights", "Should be a list, not text (“Crushed quota”)."),
                ("skills[0]", "Should be an object, not text (“Negotiation”)."),
            ],
        ),
        (
            "bad-dates.json",
            [
                ("work[0].startDate", "“March 2021” is not a date written as YYYY-MM-DD, YYYY-MM or YYYY"),
                ("work[1].startDate", "“2019-02-30” is not a real date."),
                ("work[1].endDate", "“2018-13” is not a real date."),
                ("work[2].endDate", "The end date “2016-01” is before the start date “2017-06”."),
            ],
        ),
        ("bad-email.json", [("basics.email", "“not-an-email” is not an e-mail address.")]),
        ("not-json.json", [(None, "Not valid JSON: Expecting ',' delimiter (line 1, column 64).")]),
    ],
)
def test_invalid_resumes_are_refused_with_every_problem_and_its_path(name, expected):
    problems = problems_of(fixture(f"invalid/{name}"))
    assert len(problems) == len(expected)
    for (where, message), (expected_where, expected_start) in zip(problems, expected, strict=True):
        assert where == expected_where
        assert message.startswith(expected_start)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"\xff\xfe{}", "Not a UTF-8 text file"),
        (b"[]", "Should be an object, not a list"),
        (b'{"basics": {"email": "a@example.com"}}', "A name is required"),
        (b'{"basics": {"name": "X"}, "hobbies": []}', "Unknown section “hobbies”"),
        (b'{"basics": {"name": "X"}, "meta": {"n": NaN}}', "Not valid JSON: NaN is not a JSON value."),
        (b'{"basics": {"name": "X"}, "meta": {"n": ' + b"9" * 5000 + b"}}", "Not valid JSON: Exceeds the limit"),
        (b'{"basics": {"name": "' + b"N" * 201 + b'"}}', "Too long for Bench: 201 characters, the most is 200."),
        (b'{"basics": {"name": "X", "summary": "' + b"s" * 20_001 + b'"}}', "The text is 20,001 characters long"),
        (b'{"basics": {"name": "X"}, "skills": [' + b",".join([b"{}"] * 501) + b"]}", "The list has 501 entries"),
    ],
)
def test_hostile_or_unusable_documents_are_refused_with_a_clear_message(data, message):
    assert any(found.startswith(message) or message in found for _, found in problems_of(data))


def test_deep_nesting_and_oversized_files_are_refused_quickly():
    started = time.perf_counter()
    deep = b'{"basics": {"name": "X"}, "meta": {"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}"
    assert problems_of(deep) == [(None, "The JSON is nested more than 20 levels deep; a resume is not.")]
    assert "a JSON Resume may be at most 2 MB" in problems_of(b" " * (MAX_BYTES + 1))[0][1]
    unterminated = b'"' + b'\\"' * (MAX_BYTES // 2 - 1)
    assert problems_of(unterminated)[0][1].startswith("Not valid JSON: Unterminated string")
    assert time.perf_counter() - started < 2


def test_a_flood_of_errors_is_cut_short():
    work = b",".join([b'{"name": 1, "startDate": "soon"}'] * 400)
    problems = problems_of(b'{"basics": {"name": "X"}, "work": [' + work + b"]}")
    assert len(problems) == 31 and problems[-1] == (
        None,
        "There are more problems than these; fix them and check again.",
    )


# Importing ------------------------------------------------------------------------------


def test_the_public_samples_import_as_one_candidate_and_reimport_adds_nothing(app, tmp_path):
    folder = tmp_path / "samples"
    folder.mkdir()
    for name in SAMPLES:
        shutil.copy(FIXTURES / name, folder / name)
    with app.app_context():
        report = import_path(folder)
        assert report.committed and (report.files, report.created, report.attached) == (2, 1, 2)
        assert any("Same person as complete.json (the same e-mail)" in str(w) for w in report.warnings)
        candidate = db.session.scalars(db.select(Candidate)).one()
        assert (candidate.name, candidate.company, candidate.title) == (
            "Richard Hendriks",
            "Pied Piper",
            "CEO/President",
        )
        assert {"html", "compression"} <= set(candidate.tag_names)
        assert count(StatusChange) == 1
        resumes = db.session.scalars(db.select(ResumeFile)).all()
        assert {r.kind for r in resumes} == {ResumeKind.JSON_RESUME} and {r.source for r in resumes} == {"json"}
        assert resume_path(resumes[0]).read_bytes() in (fixture(name) for name in SAMPLES)

        again = import_path(folder)
        assert again.committed and (again.created, again.updated, again.unchanged, again.attached) == (0, 0, 1, 0)
        assert (count(Candidate), count(ResumeFile), len(stored_files())) == (1, 2, 2)
        audit = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "candidates.imported")).all()
        assert [entry.details["created"] for entry in audit] == [1, 0]
        assert "Richard" not in json.dumps([entry.details for entry in audit])


def test_sales_resumes_import_and_search_finds_their_words_but_not_the_references(app):
    with app.app_context():
        report = import_documents([(name, fixture(name)) for name in SALES])
        assert report.committed and report.created == 3 and not report.errors
        dana = db.session.scalars(db.select(Candidate).where(Candidate.name == "Dana Reyes")).one()
        assert dana.linkedin_url == "https://www.linkedin.com/in/dana-reyes-example"
        assert searched("fabrikam") == [dana.id]
        assert searched("meddicc") == [dana.id]
        assert searched("quixotically") == []
        priya = db.session.scalars(db.select(Candidate).where(Candidate.name == "Priya Natarajan")).one()
        assert searched("outreach.io") == [priya.id]
        assert any("References are about other people" in note for note in report.notes)

        # Priya has no e-mail: a re-run still recognises her by the same document.
        again = import_documents([(name, fixture(name)) for name in SALES])
        assert (again.created, again.attached, count(Candidate), count(ResumeFile)) == (0, 0, 3, 3)


def test_a_folder_with_one_bad_file_imports_nothing_unless_skip_invalid(app, runner, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    for name in SALES:
        shutil.copy(FIXTURES / name, folder / name)
    shutil.copy(FIXTURES / "invalid" / "bad-dates.json", folder / "bad-dates.json")
    (folder / "notes.txt").write_text("not a resume")
    (folder / "nested").mkdir()
    shutil.copy(FIXTURES / "sample.resume.json", folder / "nested" / "sample.json")  # not searched
    (folder / "archive.json").mkdir()  # a folder, whatever its name
    with app.app_context():
        result = runner.invoke(args=["import", "json-resume", str(folder)])
        assert result.exit_code == 1
        assert "bad-dates.json: work[1].startDate: “2019-02-30” is not a real date." in result.output
        assert "4 files: 3 good, 1 with errors." in result.output
        assert "Nothing was imported: 1 file with errors" in result.output
        assert "--skip-invalid to import the 3 good files" in result.output
        assert (count(Candidate), count(ResumeFile), len(stored_files())) == (0, 0, 0)

        result = runner.invoke(args=["import", "json-resume", str(folder), "--skip-invalid"])
        assert result.exit_code == 0, result.output
        assert "4 files: 3 candidates created, 0 updated, 0 unchanged" in result.output
        assert "1 with errors" in result.output and "Import finished." in result.output
        assert (count(Candidate), count(ResumeFile), len(stored_files())) == (3, 3, 3)

        result = runner.invoke(args=["import", "json-resume", str(folder / "dana-reyes.json")])
        assert result.exit_code == 0 and "0 candidates created, 0 updated, 1 unchanged" in result.output


def test_a_folder_without_resumes_or_with_too_many_is_refused(app, runner, tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    with app.app_context():
        result = runner.invoke(args=["import", "json-resume", str(empty)])
        assert result.exit_code == 1 and "has no .json files. Nothing was imported." in result.output
        monkeypatch.setattr("hiring.json_resume.MAX_FILES", 2)
        for name in SALES:
            shutil.copy(FIXTURES / name, empty / name)
        report = import_path(empty)
        assert report.folder_error == "The folder has 3 .json files; import at most 2 at a time."
        assert count(Candidate) == 0


def test_an_oversized_file_or_a_link_is_not_read(app, tmp_path):
    big = tmp_path / "big.json"
    big.write_bytes(b'{"basics": {"name": "X", "summary": "' + b"x" * MAX_BYTES + b'"}}')
    link = tmp_path / "link.json"
    link.symlink_to(FIXTURES / "dana-reyes.json")
    with app.app_context():
        report = import_path(big)
        assert [str(problem) for problem in report.errors] == [
            "big.json: The file is 2.0 MB; a JSON Resume may be at most 2 MB."
        ]
        assert import_path(link).errors[0].message.startswith("Not a regular file")
        assert count(Candidate) == 0


def test_an_existing_candidate_is_matched_by_email_and_only_empty_fields_are_filled(app):
    with app.app_context():
        existing = make_candidate(
            name="Dana Reyes-Smith", alt_email="DANA.REYES@example.com", company="Northwind", tags=["referral"]
        )
        report = import_documents([("dana.json", fixture("dana-reyes.json"))])
        assert report.committed and (report.created, report.updated) == (0, 1)
        dana = db.session.get(Candidate, existing.id)
        assert dana.name == "Dana Reyes-Smith" and dana.company == "Northwind"  # as someone typed them
        assert dana.phone == "+1 512 555 0142" and dana.title == "Enterprise Account Executive"  # were empty
        assert {"referral", "meddicc"} <= set(dana.tag_names)
        kept = [str(w) for w in report.warnings if "kept the" in str(w)]
        assert kept == [
            f"dana.json: Matched #{existing.id} by the same e-mail; kept the name, company as in Bench (the resume "
            "differs, and a value in Bench is never replaced by an import: someone may have edited it)."
        ]
        updated = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "candidate.updated")).one()
        assert set(updated.details["fields"]) >= {"phone", "title", "tags"}


def test_a_new_candidate_like_an_existing_one_is_flagged_for_merge(app):
    with app.app_context():
        other = make_candidate(name="D. Reyes", email="dreyes@elsewhere.example", phone="+1 (512) 555-0142")
        report = import_documents([("dana.json", fixture("dana-reyes.json"))])
        assert report.committed and report.created == 1 and report.duplicates_flagged == 1
        flagged = [w for w in report.warnings if "may be the same person" in w.message]
        assert len(flagged) == 1 and other.id in flagged[0].candidate_ids
        assert f"#{other.id} (same phone)" in flagged[0].message
        assert count(Candidate) == 2  # flagged, never merged without a person


def test_the_same_document_matches_its_candidate_even_after_the_email_was_edited(app):
    with app.app_context():
        import_documents([("dana.json", fixture("dana-reyes.json"))])
        dana = db.session.scalars(db.select(Candidate)).one()
        dana.email = "dana@new-employer.example"
        db.session.commit()
        report = import_documents([("dana.json", fixture("dana-reyes.json"))])
        assert (report.created, count(Candidate), count(ResumeFile)) == (0, 1, 1)
        assert db.session.get(Candidate, dana.id).alt_email == "dana.reyes@example.com"  # the free column


def test_a_failed_run_leaves_no_rows_and_no_files(app, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    with app.app_context():
        monkeypatch.setattr("hiring.json_resume.JsonResumeImport.flag_duplicates", broken)
        with pytest.raises(RuntimeError):
            import_documents([("dana.json", fixture("dana-reyes.json"))])
        assert (count(Candidate), count(ResumeFile), len(stored_files())) == (0, 0, 0)


# Exporting ------------------------------------------------------------------------------


def export_url(app, candidate_id: int) -> str:
    """Return the export's URL."""
    return f"/candidates/{candidate_id}/resume.json"


def full_candidate() -> Candidate:
    """Make a candidate with every field the export writes, and a private note it must leave out."""
    return make_candidate(
        name="Jordan Ellis",
        email="jordan.ellis@example.com",
        phone="+1 212 555 0123",
        location="Brooklyn, NY",
        linkedin_url="https://www.linkedin.com/in/jordan-ellis-example",
        company="Globex",
        title="Mid-market Account Executive",
        notes="Private: asked for a 20% raise.",
        tags=["saas", "outbound"],
    )


def test_an_exported_candidate_is_a_valid_json_resume_and_imports_back_onto_them(app):
    with app.app_context():
        candidate = full_candidate()
        document = candidate_to_json_resume(db.session.get(Candidate, candidate.id))
        assert list(validator().iter_errors(document)) == []
        data = json.dumps(document).encode()
        check_document(data)  # Bench's own checks too
        assert "Private" not in data.decode() and "raise" not in data.decode()
        values = map_document(document)
        assert (values.name, values.email, values.phone, values.location) == (
            "Jordan Ellis", "jordan.ellis@example.com", "+1 212 555 0123", "Brooklyn, NY",
        )  # fmt: skip
        assert (values.company, values.title, values.linkedin_url) == (
            "Globex", "Mid-market Account Executive", "https://www.linkedin.com/in/jordan-ellis-example",
        )  # fmt: skip
        assert values.tags == ["outbound", "saas"]

        report = import_documents([("jordan.json", data)])
        assert (report.created, report.updated, report.unchanged, count(Candidate)) == (0, 0, 1, 1)
        assert not [w for w in report.warnings if "kept the" in str(w)]  # nothing differs


def test_a_bare_candidate_exports_a_valid_document():
    document = candidate_to_json_resume(Candidate(name="Only A Name"))
    assert list(validator().iter_errors(document)) == []
    assert document == {"basics": {"name": "Only A Name"}}


def test_managers_and_admins_download_the_export_and_it_is_audited(app, client, manager):
    with app.app_context():
        candidate = full_candidate()
        admin = make_user(Role.ADMIN)
    url = export_url(app, candidate.id)
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == f'attachment; filename="candidate-{candidate.id}.resume.json"'
    assert response.json["basics"]["email"] == "jordan.ellis@example.com"
    sign_in_as(client, admin)
    assert client.get(url).status_code == 200
    assert client.get(export_url(app, candidate.id + 1000)).status_code == 404
    with app.app_context():
        entries = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "candidate.json_resume_exported"))
        assert [(e.target_id, e.details) for e in entries] == [(str(candidate.id), {}), (str(candidate.id), {})]


def test_interviewers_and_strangers_cannot_export(app, client):
    with app.app_context():
        candidate = full_candidate()
        interviewer = make_user(Role.INTERVIEWER)
    url = export_url(app, candidate.id)
    assert client.get(url).status_code == 302  # to sign in
    sign_in_as(client, interviewer)
    assert client.get(url).status_code == 403
