"""Two candidate imports at once, over real connections: overlapping files end with each person once.

Each import runs in its own thread with its own app context, so its own session and
database connection, and commits for real. On PostgreSQL the imports meet at the
advisory lock; on SQLite at the write lock. Either way the second import must see
what the first committed.
"""

import threading
import time

import pytest
import sqlalchemy as sa

from hiring import create_app, csv_import
from hiring.csv_import import IMPORT_RUNNING, import_candidates
from models import AuditEntry, Candidate, StatusChange, db
from tests.conftest import base_config

SHARED = [f"Shared Person {n},shared{n}@example.com,{{tag}},Seen by {{team}}" for n in range(20)]


def people_file(team: str, own: int, tag: str) -> bytes:
    """Return a CSV file of the 20 shared people (with this team's tag and note) and ``own`` people of its own."""
    shared = [line.format(tag=tag, team=team) for line in SHARED]
    others = [f"{team} Person {n},{team.lower()}{n}@example.com,{tag},Only {team}" for n in range(own)]
    # The shared people are spread through the file, so both imports reach them in several chunks.
    rows = [row for pair in zip(shared, others, strict=False) for row in pair]
    rows += shared[len(others) :] + others[len(shared) :]
    return ("\n".join(["name,email,tags,notes", *rows]) + "\n").encode()


@pytest.fixture
def small_chunks(monkeypatch):
    """Import in chunks of 5 rows, with a pause after each, so that two imports overlap in time."""
    monkeypatch.setattr(csv_import, "CHUNK_ROWS", 5)
    original = csv_import.CandidateImport.add

    def add_slowly(self, records):
        original(self, records)
        time.sleep(0.02)

    monkeypatch.setattr(csv_import.CandidateImport, "add", add_slowly)


def run_in_threads(app, files: list[bytes]) -> list:
    """Import each file in its own thread and app context, all started together; return the reports."""
    start = threading.Barrier(len(files))
    reports, errors = [None] * len(files), []

    def work(index: int, data: bytes) -> None:
        try:
            with app.app_context():
                start.wait(timeout=10)
                reports[index] = import_candidates(data)
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported by the test below, with the thread's file
            errors.append((index, error))

    threads = [threading.Thread(target=work, args=(index, data)) for index, data in enumerate(files)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "an import never finished"
    assert errors == []
    return reports


def test_two_imports_of_overlapping_files_at_once_create_each_person_once(app, small_chunks):
    files = [people_file("North", 25, "north-team"), people_file("South", 15, "south-team")]
    reports = run_in_threads(app, files)

    assert [report.file_error for report in reports] == [None, None]
    assert all(report.committed for report in reports)
    # Whichever ran second found the 20 shared people and updated them: North has 45 rows, South 35.
    assert sorted(report.created for report in reports) in ([15, 45], [25, 35])
    assert sorted(report.updated for report in reports) == [0, 20]
    with app.app_context():
        emails = db.session.scalars(sa.select(Candidate.email)).all()
        assert len(emails) == len(set(emails)) == 60  # nobody twice, nobody lost
        shared = db.session.scalars(sa.select(Candidate).where(Candidate.email.like("shared%"))).all()
        assert len(shared) == 20
        for person in shared:  # both files' tags and notes, nothing dropped
            assert set(person.tag_names) == {"north-team", "south-team"}
            assert "Seen by North" in person.notes and "Seen by South" in person.notes
        created = sa.select(sa.func.count()).where(StatusChange.from_status.is_(None))
        assert db.session.scalar(created) == 60  # one "created" entry per person
        audits = sa.select(sa.func.count()).where(AuditEntry.action == "candidates.imported")
        assert db.session.scalar(audits) == 2


def test_the_same_file_imported_twice_at_once_creates_everyone_once(app, small_chunks):
    data = people_file("East", 30, "east-team")
    reports = run_in_threads(app, [data, data])

    assert sorted(report.created for report in reports) == [0, 50]
    assert sorted(report.unchanged for report in reports) == [0, 50]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Candidate)) == 50


def test_an_import_that_cannot_wait_long_enough_writes_nothing_and_says_why(app, database, monkeypatch):
    """While one import holds the lock, an import with a 1-second timeout gives up cleanly."""
    impatient = create_app(base_config(**database, DATABASE_STATEMENT_TIMEOUT=1))
    holding, release = threading.Event(), threading.Event()
    original = csv_import.CandidateImport.add

    def add_and_hold(self, records):
        original(self, records)
        if threading.current_thread().name == "first":
            holding.set()
            release.wait(timeout=30)

    monkeypatch.setattr(csv_import.CandidateImport, "add", add_and_hold)
    first_report = []

    def first() -> None:
        with app.app_context():
            first_report.append(import_candidates(people_file("West", 5, "west-team")))
            db.session.remove()

    thread = threading.Thread(target=first, name="first")
    thread.start()
    try:
        assert holding.wait(timeout=30)
        with impatient.app_context():
            report = import_candidates(people_file("Late", 5, "late-team"))
            assert report.file_error == IMPORT_RUNNING and not report.committed
            db.session.remove()
    finally:
        release.set()
        thread.join(timeout=60)
        with impatient.app_context():
            db.engine.dispose()
    assert first_report[0].committed
    with app.app_context():
        names = db.session.scalars(sa.select(Candidate.name)).all()
        assert len(names) == 25 and not any(name.startswith("Late") for name in names)
