"""flask --app hiring import hires|outcomes: reps and their months from other systems, checked row by row."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from models import AuditEntry, Candidate, Hire, PeriodResult, PoolStatus, Segment, StatusChange, Tier, db
from tests.factories import make_candidate

HIRES = "candidate_ref,hired_on,role,territory,segment,left_on\n"
OUTCOMES = "candidate_ref,period,quota,booked\n"
SIX_MONTHS = "".join(f"ATS-1,2024-{month:02d},1000,1200\n" for month in range(4, 10))  # all at 120 %


@pytest.fixture
def people(app):
    with app.app_context():
        ada = make_candidate(name="Ada Byron", email="ada@example.org", external_id="ATS-1")
        bo = make_candidate(name="Bo Chen", email="bo@example.org", status=PoolStatus.OFFER)
        cy = make_candidate(name="Cy Diaz", email="cy@example.org")
    return {"ada": ada.id, "bo": bo.id, "cy": cy.id}


def run(runner, tmp_path, kind, text, *args):
    path = tmp_path / f"{kind}.csv"
    path.write_text(text, encoding="utf-8")
    return runner.invoke(args=["import", kind, str(path), *args])


def hires(app) -> dict[int, tuple]:
    with app.app_context():
        return {
            h.candidate_id: (h.hired_on, h.role, h.territory, h.segment, h.left_on, h.tier)
            for h in db.session.scalars(db.select(Hire))
        }


def results(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.scalars(db.select(PeriodResult).order_by(PeriodResult.hire_id, PeriodResult.period))
        return [(r.hire.candidate_id, r.period, r.quota, r.booked) for r in rows]


def audit(app, action: str) -> list[dict]:
    with app.app_context():
        return [e.details for e in db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action))]


def hire_both(runner, tmp_path):
    """Import Ada (hired 2024-01-02) and Bo (hired 2024-02-15, left 2024-08-31)."""
    text = HIRES + "ATS-1,2024-01-02,AE,West,smb,\nbo@example.org,2024-02-15,,,,2024-08-31\n"
    result = run(runner, tmp_path, "hires", text)
    assert result.exit_code == 0, result.output


# Hires


def test_hires_are_imported_and_their_candidates_marked_hired(app, runner, tmp_path, people):
    text = HIRES + "ATS-1,2024-01-02,Account Executive,West,Mid-market,\nBO@example.org,2024-02-15,,,,2024-08-31\n"
    result = run(runner, tmp_path, "hires", text)
    assert result.exit_code == 0, result.output
    assert "2 rows: 2 created, 0 updated, 0 unchanged, 0 skipped for errors, 0 warnings." in result.output
    assert "Imported hires: 2 new, 0 updated, 0 unchanged. 0 reps changed tier." in result.output
    assert hires(app) == {
        people["ada"]: (date(2024, 1, 2), "Account Executive", "West", Segment.MID_MARKET, None, None),
        people["bo"]: (date(2024, 2, 15), "", "", None, date(2024, 8, 31), None),
    }
    with app.app_context():
        assert [db.session.get(Candidate, people[n]).status for n in ("ada", "bo", "cy")] == [
            PoolStatus.HIRED, PoolStatus.HIRED, PoolStatus.PROSPECT
        ]  # fmt: skip
        changes = db.session.scalars(db.select(StatusChange).order_by(StatusChange.candidate_id)).all()
        assert [(c.candidate_id, c.from_status, c.to_status, c.reason) for c in changes] == [
            (people["ada"], PoolStatus.PROSPECT, PoolStatus.HIRED, "Hire imported"),
            (people["bo"], PoolStatus.OFFER, PoolStatus.HIRED, "Hire imported"),
        ]
    assert audit(app, "hires.imported") == [
        {"rows": 2, "created": 2, "updated": 0, "unchanged": 0, "skipped": 0, "warnings": 0, "via": "command line",
         "tiers_changed": 0}
    ]  # fmt: skip


def test_hires_import_again_updates_the_hire_and_keeps_empty_cells(app, runner, tmp_path, people):
    hire_both(runner, tmp_path)
    text = HIRES + "ada@example.org,2024-01-03,,East,,2024-12-31\nbo@example.org,2024-02-15,,,,\n"
    result = run(runner, tmp_path, "hires", text)
    assert result.exit_code == 0, result.output
    assert "Imported hires: 0 new, 1 updated, 1 unchanged." in result.output
    assert hires(app) == {
        people["ada"]: (date(2024, 1, 3), "AE", "East", Segment.SMB, date(2024, 12, 31), None),
        people["bo"]: (date(2024, 2, 15), "", "", None, date(2024, 8, 31), None),
    }
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(StatusChange)) == 2  # not hired twice


@pytest.mark.parametrize(
    "row, message",
    [
        (",2024-01-02,,,,", "Line 3, candidate_ref (column A): Missing. Give the candidate's external_id or e-mail."),
        ("NOBODY,2024-01-02,,,,", "Line 3, candidate_ref (column A): No candidate has the external id or e-mail “NOBO"),
        ("cy@example.org,,,,,", "Line 3, hired_on (column B): Missing. Give the date of the hire, as YYYY-MM-DD."),
        ("cy@example.org,02/01/2024,,,,", "Line 3, hired_on (column B): “02/01/2024” is not a date written as YYYY"),
        ("cy@example.org,2024-02-30,,,,", "Line 3, hired_on (column B): “2024-02-30” is not a date"),
        ("cy@example.org,2999-01-01,,,,", "Line 3, hired_on (column B): 2999-01-01 is in the future."),
        ("cy@example.org,2024-01-02," + "r" * 121 + ",,,", "Line 3, role (column C): Too long: 121 characters"),
        ("cy@example.org,2024-01-02,,,giant,", "Line 3, segment (column E): Unknown segment “giant”. Use one of: smb"),
        ("cy@example.org,2024-01-02,,,,2023-12-31",
         "Line 3, left_on (column F): The rep cannot leave (2023-12-31) before being hired (2024-01-02)."),
        ("cy@example.org,2024-01-02,,,,2999-01-01", "Line 3, left_on (column F): 2999-01-01 is in the future."),
        ("cy@example.org,2024-01-02,,,,31.12.2024", "Line 3, left_on (column F): “31.12.2024” is not a date"),
    ],
)  # fmt: skip
def test_bad_hire_rows_are_reported_and_nothing_is_imported(app, runner, tmp_path, people, row, message):
    good = "ATS-1,2024-01-02,AE,West,smb,\n"
    result = run(runner, tmp_path, "hires", HIRES + good + row + "\n")
    assert result.exit_code == 1
    assert message in result.output
    assert "Nothing was imported: 1 problem found." in result.output
    assert hires(app) == {}
    assert audit(app, "hires.imported") == []
    skipped = run(runner, tmp_path, "hires", HIRES + good + row + "\n", "--skip-invalid")
    assert skipped.exit_code == 0, skipped.output
    assert "2 rows: 1 created, 0 updated, 0 unchanged, 1 skipped for errors" in skipped.output
    assert list(hires(app)) == [people["ada"]]


def test_a_new_hire_date_after_the_stored_leaving_date_is_refused(app, runner, tmp_path, people):
    hire_both(runner, tmp_path)
    result = run(runner, tmp_path, "hires", HIRES + "bo@example.org,2024-09-01,,,,\n")
    assert "Line 2, hired_on (column B): The rep cannot leave (2024-08-31) before being hired (2024-09-01)." in (
        result.output
    )


def test_the_same_candidate_twice_in_a_hires_file_is_an_error_on_both_lines(app, runner, tmp_path, people):
    text = HIRES + "ATS-1,2024-01-02,,,,\nbo@example.org,2024-02-15,,,,\nada@example.org,2024-01-05,,,,\n"
    result = run(runner, tmp_path, "hires", text)
    assert result.exit_code == 1
    for line in (2, 4):
        assert f"Line {line}, candidate_ref (column A): Lines 2 and 4 are about the same rep. Keep one of them." in (
            result.output
        )
    assert hires(app) == {}


@pytest.mark.parametrize(
    "text, message",
    [
        ("candidate_ref,role\nATS-1,AE\n", "The file needs the column(s) hired_on. Nothing was imported."),
        (HIRES, "The file has a header but no data rows."),
        ("", "The file is empty."),
    ],
)
def test_hires_file_errors(app, runner, tmp_path, people, text, message):
    result = run(runner, tmp_path, "hires", text)
    assert result.exit_code == 1
    assert message in result.output


# Outcomes


def test_outcomes_are_imported_and_tiers_refreshed(app, runner, tmp_path, people):
    hire_both(runner, tmp_path)
    text = OUTCOMES + "ATS-1,2024-01,1000,100\n" + SIX_MONTHS + "bo@example.org,2024-05,2000.50,2500\n"
    result = run(runner, tmp_path, "outcomes", text)
    assert result.exit_code == 0, result.output
    assert "8 rows: 8 created, 0 updated, 0 unchanged, 0 skipped for errors, 0 warnings." in result.output
    assert "Imported months of results: 8 new, 0 updated, 0 unchanged. 1 rep changed tier." in result.output
    assert results(app)[0] == (people["ada"], "2024-01", Decimal("1000.00"), Decimal("100.00"))
    assert results(app)[-1] == (people["bo"], "2024-05", Decimal("2000.50"), Decimal("2500.00"))
    with app.app_context():
        ada = db.session.scalars(db.select(Hire).where(Hire.candidate_id == people["ada"])).one()
        assert (ada.tier, ada.months_observed, ada.months_at_quota, ada.on_target_pct) == (Tier.A, 6, 6, 120.0)
    (details,) = audit(app, "outcomes.imported")
    assert (details["created"], details["tiers_changed"], details["via"]) == (8, 1, "command line")


def test_outcomes_import_again_replaces_a_month(app, runner, tmp_path, people):
    hire_both(runner, tmp_path)
    run(runner, tmp_path, "outcomes", OUTCOMES + SIX_MONTHS)
    text = OUTCOMES + "ATS-1,2024-04,1000,0\nATS-1,2024-05,1000,0\nATS-1,2024-06,1000,1200.00\n"
    result = run(runner, tmp_path, "outcomes", text)
    assert result.exit_code == 0, result.output
    assert "Imported months of results: 0 new, 2 updated, 1 unchanged. 1 rep changed tier." in result.output
    assert [row[1:] for row in results(app)][:2] == [
        ("2024-04", Decimal("1000.00"), Decimal("0.00")),
        ("2024-05", Decimal("1000.00"), Decimal("0.00")),
    ]
    assert len(results(app)) == 6
    assert hires(app)[people["ada"]][-1] == Tier.B  # 4 of 6 at quota, mean 80 %


NEXT_MONTH = (date.today().replace(day=1) + timedelta(days=32)).strftime("%Y-%m")


@pytest.mark.parametrize(
    "row, message",
    [
        ("cy@example.org,2024-03,1000,900",
         "Line 3, candidate_ref (column A): “cy@example.org” is not hired in Bench. Import hires first"),
        ("NOBODY,2024-03,1000,900", "Line 3, candidate_ref (column A): No candidate has the external id or e-mail"),
        ("ATS-1,,1000,900", "Line 3, period (column B): Missing. Give the month, as YYYY-MM."),
        ("ATS-1,2024/03,1000,900", "Line 3, period (column B): “2024/03” is not a month. Write it as YYYY-MM"),
        ("ATS-1,2024-00,1000,900", "Line 3, period (column B): “2024-00” is not a month."),
        ("ATS-1,2023-12,1000,900", "Line 3, period (column B): 2023-12 is before the rep was hired (2024-01-02)."),
        (f"ATS-1,{NEXT_MONTH},1000,900", f"Line 3, period (column B): {NEXT_MONTH} is in the future."),
        (f"NOBODY,{NEXT_MONTH},1000,900", f"Line 3, period (column B): {NEXT_MONTH} is in the future."),
        ("bo@example.org,2024-09,1000,900", "Line 3, period (column B): 2024-09 is after the rep left (2024-08-31)."),
        ("ATS-1,2024-03,,900", "Line 3, quota (column C): Missing. Give the quota amount."),
        ("ATS-1,2024-03,0,900", "Line 3, quota (column C): The quota must be more than 0."),
        ("ATS-1,2024-03,ten,900", "Line 3, quota (column C): “ten” is not a number."),
        ("ATS-1,2024-03,1000.001,900", "Line 3, quota (column C): “1000.001” has more than 2 decimals."),
        ('ATS-1,2024-03,"1,000",900', "Line 3, quota (column C): “1,000” has a comma."),
        ("ATS-1,2024-03,1000,", "Line 3, booked (column D): Missing. Give the booked amount (0 if nothing)."),
        ("ATS-1,2024-03,1000,-1", "Line 3, booked (column D): The booked cannot be negative."),
    ],
)  # fmt: skip
def test_bad_outcome_rows_are_reported_and_nothing_is_imported(app, runner, tmp_path, people, row, message):
    hire_both(runner, tmp_path)
    good = "ATS-1,2024-02,1000,1100\n"
    result = run(runner, tmp_path, "outcomes", OUTCOMES + good + row + "\n")
    assert result.exit_code == 1
    assert message in result.output
    assert "Nothing was imported" in result.output
    assert results(app) == []
    assert audit(app, "outcomes.imported") == []
    skipped = run(runner, tmp_path, "outcomes", OUTCOMES + good + row + "\n", "--skip-invalid")
    assert skipped.exit_code == 0, skipped.output
    assert "1 created, 0 updated, 0 unchanged, 1 skipped for errors" in skipped.output
    assert [row[1] for row in results(app)] == ["2024-02"]
    assert audit(app, "outcomes.imported")[0]["skipped"] == 1


def test_the_same_rep_and_month_twice_is_an_error_naming_both_lines(app, runner, tmp_path, people):
    hire_both(runner, tmp_path)
    text = OUTCOMES + "ATS-1,2024-03,1000,900\nATS-1,2024-04,1000,900\nada@example.org,2024-03,1000,1100\n"
    result = run(runner, tmp_path, "outcomes", text)
    assert result.exit_code == 1
    for line in (2, 4):
        message = f"Line {line}, period (column B): Lines 2 and 4 are about the same rep and month. Keep one of them."
        assert message in result.output
    assert results(app) == []
    skipped = run(runner, tmp_path, "outcomes", text, "--skip-invalid")
    assert "3 rows: 1 created, 0 updated, 0 unchanged, 2 skipped for errors" in skipped.output
    assert [row[1] for row in results(app)] == ["2024-04"]


def test_only_so_many_problems_are_printed(app, runner, tmp_path, people):
    hire_both(runner, tmp_path)
    text = OUTCOMES + "".join(f"ATS-1,2024-{month:02d},0,1\n" for month in range(1, 9)) * 1
    text += "".join(f"NOBODY{number},2024-03,1,1\n" for number in range(60))
    result = run(runner, tmp_path, "outcomes", text)
    assert "Errors (68):" in result.output
    assert "  ... and 18 more." in result.output


def test_unknown_columns_are_ignored_and_said(app, runner, tmp_path, people):
    hire_both(runner, tmp_path)
    result = run(runner, tmp_path, "outcomes", "Candidate Ref,Period,Quota,Booked,Notes\nATS-1,2024-02,10,5,x\n")
    assert result.exit_code == 0, result.output
    assert "Ignored unknown columns: Notes." in result.output
    assert len(results(app)) == 1


def test_missing_outcome_columns_are_a_file_error(app, runner, tmp_path, people):
    result = run(runner, tmp_path, "outcomes", "candidate_ref,period\nATS-1,2024-02\n")
    assert result.exit_code == 1
    assert "The file needs the column(s) quota, booked. Nothing was imported." in result.output
