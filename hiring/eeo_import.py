"""Importing self-identification answers (``flask --app hiring import eeo FILE.csv``).

Columns: ``candidate_ref, sex, race_ethnicity`` and optional ``veteran,
disability``. A cell takes an answer's stored value or its label, in any case
and spacing ("Hispanic or Latino", "hispanic_latino"); a blank sex or
race/ethnicity means "prefer not to say", a blank veteran or disability cell
keeps what is stored. Importing again updates the answers, never duplicates
them. Every row is checked first; nothing is written if any row has an error,
unless bad rows may be skipped. Messages name the line and column but never
repeat a person's answer, and the audit log gets the counts only.
"""

import re
from typing import BinaryIO

from hiring.csv_import import ImportReport, chunked
from hiring.csv_reading import CsvFile
from hiring.rep_import import RowChecker, candidate_ref, commit_rows, flag_repeats, open_file, raw_rows, tally
from hiring.scorecard_import import resolve_candidates
from models import DisabilityStatus, RaceEthnicity, SelfIdentification, Sex, User, VeteranStatus, db

EEO_COLUMNS = ("candidate_ref", "sex", "race_ethnicity", "veteran", "disability")
EEO_REQUIRED = ("candidate_ref", "sex", "race_ethnicity")
# Column -> (attribute, enum, answer of a blank cell; None keeps what is stored).
ANSWERS = {
    "sex": (Sex, Sex.NOT_SAID),
    "race_ethnicity": (RaceEthnicity, RaceEthnicity.NOT_SAID),
    "veteran": (VeteranStatus, None),
    "disability": (DisabilityStatus, None),
}
BATCH = 500


def answer_key(text: str) -> str:
    """Return the form answers are compared in: lowercase, runs of spaces, hyphens and underscores as one "_"."""
    return re.sub(r"[\s\-_]+", "_", text.strip().lower())


def answer_parser(enum_class, column: str):
    """Return a converter that accepts an answer's value or label; its error lists the answers, not the cell."""
    members = {}
    for member in enum_class:
        members[answer_key(member.value)] = member
        members[answer_key(member.label)] = member
    allowed = ", ".join(member.label for member in enum_class)

    def convert(raw: str):
        member = members.get(answer_key(raw))
        if member is None:
            # The cell is not repeated: even a misspelt answer says something about a person.
            raise ValueError(f"Not an answer Bench knows for {column}. Use one of: {allowed}.")
        return member

    return convert


PARSERS = {column: answer_parser(enum_class, column) for column, (enum_class, _) in ANSWERS.items()}


def check_row(line: int, cells: dict, csv_file: CsvFile, candidates: dict) -> tuple[RowChecker, int | None, dict]:
    """Check one row; return its checker, its candidate id and the answers it gives (attribute -> member)."""
    checker = RowChecker(csv_file, line)
    candidate_id = candidate_ref(checker, cells["candidate_ref"], candidates)
    values = {}
    for column, (_, blank) in ANSWERS.items():
        raw = cells.get(column, "")
        if raw:
            values[column] = checker.run(column, PARSERS[column], raw)
        elif blank is not None:
            values[column] = blank
    return checker, candidate_id, values


def write_answers(rows: list[tuple[int, dict]], report: ImportReport) -> None:
    """Create or update each candidate's answers, counting what changed."""
    stored = {}
    for batch in chunked(sorted(candidate_id for candidate_id, _ in rows), BATCH):
        query = db.select(SelfIdentification).where(SelfIdentification.candidate_id.in_(batch))
        stored.update((answers.candidate_id, answers) for answers in db.session.scalars(query))
    for candidate_id, values in rows:
        answers = stored.get(candidate_id)
        if answers is None:
            db.session.add(SelfIdentification(candidate_id=candidate_id, source="import", **values))
            report.created += 1
            continue
        changed = [name for name, value in values.items() if getattr(answers, name) != value]
        for name in changed:
            setattr(answers, name, values[name])
        if changed:
            answers.source = "import"
            report.updated += 1
        else:
            report.unchanged += 1


def import_eeo(stream: BinaryIO, *, skip_invalid: bool = False, actor: User | None = None) -> ImportReport:
    """Check a self-identification CSV, then import it in one transaction (all or nothing unless ``skip_invalid``)."""
    report = ImportReport(skip_invalid=skip_invalid)
    csv_file = open_file(stream, EEO_COLUMNS, EEO_REQUIRED, report)
    if csv_file is None:
        return report
    rows = raw_rows(csv_file)
    candidates = resolve_candidates({cells["candidate_ref"] for _, cells in rows if cells["candidate_ref"]})
    checked = [check_row(line, cells, csv_file, candidates) for line, cells in rows]
    flag_repeats(checked, "candidate_ref", "candidate")
    valid = tally([(checker, key, (key, values)) for checker, key, values in checked], report)

    def write() -> dict:
        write_answers(valid, report)
        return {}

    return commit_rows(report, write, "eeo.imported", actor)
