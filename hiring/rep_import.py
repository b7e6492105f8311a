"""Importing hires and their monthly results (``flask --app hiring import hires|outcomes FILE.csv``).

Hires: ``candidate_ref, hired_on`` and optional ``role, territory, segment,
left_on``; importing again updates the hire (empty optional cells keep what is
stored). Outcomes: ``candidate_ref, period, quota, booked``, one row per rep and
month; importing a month again replaces it. Every row is checked before
anything is written, with the checks of the rep pages (hiring.rep_values);
then the touched reps' tiers are refreshed, all in one transaction.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import BinaryIO

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from hiring.audit import record
from hiring.csv_import import CHANGED_MEANWHILE, NO_ROWS, ImportReport, Problem, choice_of, chunked, parse_date
from hiring.csv_reading import CsvFile, CsvFileError, read_csv
from hiring.ranking import rank_candidates
from hiring.rep_tiers import refresh_tiers
from hiring.rep_values import (
    check_left_on,
    check_month_started,
    check_not_future,
    check_period,
    parse_amount,
    parse_period,
)
from hiring.scorecard_import import resolve_candidates
from models import Candidate, Hire, PeriodResult, PoolStatus, Segment, StatusChange, User, db, utcnow

HIRE_COLUMNS = ("candidate_ref", "hired_on", "role", "territory", "segment", "left_on")
HIRE_REQUIRED = ("candidate_ref", "hired_on")
OUTCOME_COLUMNS = ("candidate_ref", "period", "quota", "booked")
TEXT_MAX = 120  # Hire.role and Hire.territory
BATCH = 500
STATUS_REASON = "Hire imported"
parse_segment = choice_of(Segment, "segment")


@dataclass
class RepImportReport(ImportReport):
    """An import report that also counts the reps whose tier the import changed."""

    tiers_changed: int = 0


@dataclass
class HireRow:
    """One valid row of a hires file."""

    line: int
    candidate_id: int
    values: dict  # Hire attribute -> value; optional columns left empty are left out


@dataclass
class OutcomeRow:
    """One valid row of an outcomes file."""

    line: int
    hire_id: int
    period: str
    quota: Decimal
    booked: Decimal


class RowChecker:
    """The problems of one row, located by line and column in the file."""

    def __init__(self, csv_file: CsvFile, line: int):
        self.csv_file, self.line = csv_file, line
        self.problems: list[Problem] = []

    def add(self, column: str, message: str) -> None:
        """Note a problem in ``column``."""
        self.problems.append(Problem(self.line, column, message, self.csv_file.letter(column)))

    def run(self, column: str, check, *args, **kwargs):
        """Return ``check(*args)``, or None after noting its ValueError as a problem in ``column``."""
        try:
            return check(*args, **kwargs)
        except ValueError as error:
            self.add(column, str(error))
            return None

    def passes(self, column: str, check, *args) -> bool:
        """Run a check that returns nothing; False after noting its ValueError as a problem in ``column``."""
        try:
            check(*args)
        except ValueError as error:
            self.add(column, str(error))
            return False
        return True


def required_columns(names: tuple[str, ...]):
    """Return a header check that refuses a file without the ``names`` columns."""

    def check(csv_file: CsvFile) -> None:
        missing = [name for name in names if name not in csv_file.columns]
        if missing:
            raise CsvFileError(f"The file needs the column(s) {', '.join(missing)}.")

    return check


def candidate_ref(checker: RowChecker, ref: str, candidates: dict[str, int]) -> int | None:
    """Return the candidate id a reference names, or None after noting why not."""
    if not ref:
        checker.add("candidate_ref", "Missing. Give the candidate's external_id or e-mail.")
        return None
    candidate_id = candidates.get(ref)
    if candidate_id is None:
        message = f"No candidate has the external id or e-mail “{ref[:60]}”. Import candidates first."
        checker.add("candidate_ref", message)
    return candidate_id


def past_date(checker: RowChecker, column: str, raw: str) -> date | None:
    """Return a YYYY-MM-DD date that is not in the future, or None after noting why not."""
    day = checker.run(column, parse_date, raw)
    return day if day is not None and checker.passes(column, check_not_future, day) else None


WHAT = {"candidate_ref": "rep", "period": "rep and month"}


def flag_repeats(checked: list[tuple[RowChecker, object, object]], column: str, noun: str) -> None:
    """Give every row whose key another row has too an error in ``column`` naming all their lines."""
    lines_by_key = defaultdict(list)
    for checker, key, _ in checked:
        if key is not None:
            lines_by_key[key].append(checker)
    for checkers in lines_by_key.values():
        if len(checkers) > 1:
            lines = ", ".join(str(c.line) for c in checkers[:-1]) + f" and {checkers[-1].line}"
            for checker in checkers:
                checker.add(column, f"Lines {lines} are about the same {noun}. Keep one of them.")


def tally(checked: list[tuple[RowChecker, object, object]], report: ImportReport) -> list:
    """Count the rows, report their problems, and return the valid rows."""
    valid = []
    for checker, _, row in checked:
        report.rows += 1
        for problem in checker.problems:
            report.add_error(problem)
        if checker.problems:
            report.skipped += 1
        else:
            valid.append(row)
    return valid


def raw_rows(csv_file: CsvFile) -> list[tuple[int, dict[str, str]]]:
    """Return (line, cells by column) of every data row."""
    return [(line, csv_file.cells_by_column(cells)) for line, cells in csv_file.rows()]


def existing_hires(candidate_ids) -> dict[int, Hire]:
    """Return the hires of these candidates, by candidate id, in batched queries."""
    hires = {}
    for batch in chunked(sorted(candidate_ids), BATCH):
        for hire in db.session.scalars(db.select(Hire).where(Hire.candidate_id.in_(batch))):
            hires[hire.candidate_id] = hire
    return hires


# Hires ---------------------------------------------------------------------


def check_hire(line: int, cells: dict, csv_file, candidates, hires) -> tuple[RowChecker, int | None, HireRow | None]:
    """Check one row of a hires file; return its checker, its candidate id (the key) and the row."""
    checker = RowChecker(csv_file, line)
    candidate_id = candidate_ref(checker, cells["candidate_ref"], candidates)
    values = {}
    if not cells["hired_on"]:
        checker.add("hired_on", "Missing. Give the date of the hire, as YYYY-MM-DD.")
    else:
        values["hired_on"] = past_date(checker, "hired_on", cells["hired_on"])
    for column in ("role", "territory"):
        text = cells.get(column, "")
        if len(text) > TEXT_MAX:
            checker.add(column, f"Too long: {len(text):,} characters, the most is {TEXT_MAX}.")
        elif text:
            values[column] = text
    if cells.get("segment"):
        values["segment"] = checker.run("segment", parse_segment, cells["segment"])
    if cells.get("left_on"):
        values["left_on"] = past_date(checker, "left_on", cells["left_on"])
    hired_on, left_on = values.get("hired_on"), values.get("left_on")
    if left_on is not None:
        checker.passes("left_on", check_left_on, hired_on, left_on)
    elif hired_on is not None and candidate_id in hires and "left_on" not in values:
        # The stored leaving date stays: the new hire date must not come after it.
        checker.passes("hired_on", check_left_on, hired_on, hires[candidate_id].left_on)
    row = None if checker.problems else HireRow(line, candidate_id, values)
    return checker, candidate_id, row


def write_hires(rows: list[HireRow], hires: dict[int, Hire], report: ImportReport, actor_id) -> list[Hire]:
    """Create or update a hire per row; new hires make their candidate hired in the pool. Return the hires."""
    touched, created = [], []
    for row in rows:
        hire = hires.get(row.candidate_id)
        if hire is None:
            hire = Hire(candidate_id=row.candidate_id, **{"role": "", "territory": "", **row.values})
            db.session.add(hire)
            created.append(row.candidate_id)
            report.created += 1
        else:
            changed = [name for name, value in row.values.items() if getattr(hire, name) != value]
            for name in changed:
                setattr(hire, name, row.values[name])
            if changed:
                report.updated += 1
            else:
                report.unchanged += 1
        touched.append(hire)
    mark_hired(created, actor_id)
    db.session.flush()
    rank_candidates(created)  # reps are judged by results now, not by a predicted fit
    return touched


def mark_hired(candidate_ids: list[int], actor_id: int | None) -> None:
    """Move candidates who are not hired yet to hired, with a line in their status history."""
    statuses = {}
    for batch in chunked(candidate_ids, BATCH):
        query = db.select(Candidate.id, Candidate.status).where(Candidate.id.in_(batch))
        statuses.update(db.session.execute(query.where(Candidate.status != PoolStatus.HIRED)).all())
    if not statuses:
        return
    db.session.execute(
        insert(StatusChange),
        [
            {"candidate_id": candidate_id, "from_status": previous, "to_status": PoolStatus.HIRED,
             "reason": STATUS_REASON, "changed_by_id": actor_id}
            for candidate_id, previous in statuses.items()
        ],
    )  # fmt: skip
    for batch in chunked(list(statuses), BATCH):
        # Status is activity: like a status change on the page, it leaves the record's version alone.
        db.session.execute(
            update(Candidate).where(Candidate.id.in_(batch)).values(status=PoolStatus.HIRED, updated_at=utcnow()),
            execution_options={"synchronize_session": False},
        )


def import_hires(stream: BinaryIO, *, skip_invalid: bool = False, actor: User | None = None) -> RepImportReport:
    """Validate a hires CSV, then import it in one transaction (all or nothing unless ``skip_invalid``)."""
    return import_rep_file(
        stream, HIRE_COLUMNS, HIRE_REQUIRED, check_hire, "candidate_ref", "hires.imported", write_hires,
        skip_invalid=skip_invalid, actor=actor,
    )  # fmt: skip


# Outcomes --------------------------------------------------------------------


def check_outcome(line: int, cells: dict, csv_file, candidates, hires):
    """Check one row of an outcomes file; return its checker, its (candidate, month) key and the row."""
    checker = RowChecker(csv_file, line)
    candidate_id = candidate_ref(checker, cells["candidate_ref"], candidates)
    hire = hires.get(candidate_id)
    if candidate_id is not None and hire is None:
        checker.add(
            "candidate_ref",
            f"“{cells['candidate_ref'][:60]}” is not hired in Bench. Import hires first "
            "(flask --app hiring import hires FILE.csv).",
        )
    period = None
    if not cells["period"]:
        checker.add("period", "Missing. Give the month, as YYYY-MM.")
    else:
        period = checker.run("period", parse_period, cells["period"])
        if period is not None and hire is not None:
            checker.passes("period", check_period, period, hire.hired_on, hire.left_on)
        elif period is not None:
            checker.passes("period", check_month_started, period)
    amounts = {}
    for column, positive in (("quota", True), ("booked", False)):
        if not cells[column]:
            checker.add(column, f"Missing. Give the {column} amount{' (0 if nothing)' if column == 'booked' else ''}.")
        else:
            amounts[column] = checker.run(column, parse_amount, cells[column], column, positive=positive)
    key = (candidate_id, period) if candidate_id is not None and period is not None else None
    row = None
    if not checker.problems:
        row = OutcomeRow(line, hire.id, period, amounts["quota"], amounts["booked"])
    return checker, key, row


def write_outcomes(rows: list[OutcomeRow], hires: dict[int, Hire], report: ImportReport, actor_id) -> list[Hire]:
    """Insert each month, or replace the one stored; return the hires touched."""
    hire_ids = sorted({row.hire_id for row in rows})
    stored = {}
    for batch in chunked(hire_ids, BATCH):
        for result in db.session.scalars(db.select(PeriodResult).where(PeriodResult.hire_id.in_(batch))):
            stored[result.hire_id, result.period] = result
    for row in rows:
        result = stored.get((row.hire_id, row.period))
        if result is None:
            db.session.add(
                PeriodResult(
                    hire_id=row.hire_id, period=row.period, quota=row.quota, booked=row.booked, entered_by_id=actor_id
                )
            )
            report.created += 1
        elif (result.quota, result.booked) != (row.quota, row.booked):
            result.quota, result.booked, result.entered_by_id = row.quota, row.booked, actor_id
            report.updated += 1
        else:
            report.unchanged += 1
    by_id = {hire.id: hire for hire in hires.values()}
    return [by_id[hire_id] for hire_id in hire_ids]


def import_outcomes(stream: BinaryIO, *, skip_invalid: bool = False, actor: User | None = None) -> RepImportReport:
    """Validate an outcomes CSV, then import it in one transaction (all or nothing unless ``skip_invalid``)."""
    return import_rep_file(
        stream, OUTCOME_COLUMNS, OUTCOME_COLUMNS, check_outcome, "period", "outcomes.imported", write_outcomes,
        skip_invalid=skip_invalid, actor=actor,
    )  # fmt: skip


# Both ------------------------------------------------------------------------


def import_rep_file(
    stream: BinaryIO, columns, required, check, repeat_column: str, action: str, write, *, skip_invalid: bool, actor
) -> RepImportReport:
    """Check every row of a hires or outcomes file with ``check``, then ``write`` the valid ones in one transaction."""
    report = RepImportReport(skip_invalid=skip_invalid)
    csv_file = open_file(stream, columns, required, report)
    if csv_file is None:
        return report
    rows = raw_rows(csv_file)
    candidates = resolve_candidates({cells["candidate_ref"] for _, cells in rows if cells["candidate_ref"]})
    hires = existing_hires(set(candidates.values()))
    checked = [check(line, cells, csv_file, candidates, hires) for line, cells in rows]
    flag_repeats(checked, repeat_column, WHAT[repeat_column])
    valid = tally(checked, report)
    return finish(report, valid, action, actor, lambda: write(valid, hires, report, actor_id(actor)))


def actor_id(actor: User | None) -> int | None:
    """The id of the user running the import, if any."""
    return actor.id if actor is not None else None


def open_file(stream: BinaryIO, columns, required, report: ImportReport) -> CsvFile | None:
    """Open the CSV file and read its header; None, with the reason in the report, if it cannot be imported."""
    try:
        csv_file = read_csv(stream, columns=columns, check=required_columns(required))
    except CsvFileError as error:
        report.file_error = str(error)
        return None
    report.notes, report.unknown_columns = csv_file.notes, csv_file.unknown
    return csv_file


def commit_rows(report: ImportReport, write: Callable[[], dict], action: str, actor: User | None) -> ImportReport:
    """Write the valid rows unless the file has none or has errors that may not be skipped; audit and commit.

    ``write`` writes the rows and returns details to add to the audit entry. Anything failing
    half-way rolls back, so the database is as before.
    """
    if not report.rows:
        report.file_error = NO_ROWS
        return report
    if report.error_count and not report.skip_invalid:
        return report
    try:
        details = write()
        record(action, actor=actor, details={**report.audit_details("command line"), **details})
        db.session.commit()
    except (IntegrityError, StaleDataError):  # someone changed the same records meanwhile
        db.session.rollback()
        report.file_error = CHANGED_MEANWHILE
        return report
    except BaseException:
        db.session.rollback()  # a crash half-way leaves nothing behind
        raise
    report.committed = True
    return report


def finish(report: RepImportReport, valid: list, action: str, actor: User | None, write) -> RepImportReport:
    """Write the valid rows (see commit_rows), then refresh the tiers of the reps they touched."""

    def write_and_refresh() -> dict:
        touched = write() if valid else []
        report.tiers_changed = refresh_tiers(touched)  # flushes the rows first
        return {"tiers_changed": report.tiers_changed}

    return commit_rows(report, write_and_refresh, action, actor)
