"""flask --app hiring import scorecards: history from other systems, checked row by row, all or nothing."""

import pytest

from models import AuditEntry, Rating, Recommendation, Role, Scorecard, ScorecardStatus, User, db
from tests.factories import make_candidate, make_user

HEADER = "candidate_ref,interviewer_email,interviewed_on,recommendation,drive,resilience,coachability,notes\n"


@pytest.fixture
def people(app):
    with app.app_context():
        ada = make_candidate(name="Ada Byron", email="ada@example.org", external_id="ATS-1")
        bo = make_candidate(name="Bo Chen", email="bo@example.org")
        ivy = make_user(Role.INTERVIEWER, email="ivy@example.com")
    return {"ada": ada.id, "bo": bo.id, "ivy": ivy.id}


def run(runner, tmp_path, text, *args):
    path = tmp_path / "history.csv"
    path.write_text(text, encoding="utf-8")
    return runner.invoke(args=["import", "scorecards", str(path), *args])


def scorecards(app):
    with app.app_context():
        cards = db.session.scalars(db.select(Scorecard).order_by(Scorecard.id)).all()
        return [
            (c.candidate_id, c.interviewer.email, c.status, c.recommendation, c.answers,
             {r.trait.key: r.score for r in c.ratings})
            for c in cards
        ]  # fmt: skip


def test_import_creates_submitted_scorecards_and_unknown_interviewers(app, runner, tmp_path, people):
    text = HEADER + (
        "ATS-1,ivy@example.com,2025-03-01,yes,4,5,,Strong discovery\n"
        "BO@example.org,new.rater@example.com,2025-03-02,strong_no,1,2,2,\n"
    )
    result = run(runner, tmp_path, text)
    assert result.exit_code == 0, result.output
    assert "Imported 2 scorecards; 0 were already there." in result.output
    assert scorecards(app) == [
        (people["ada"], "ivy@example.com", ScorecardStatus.SUBMITTED, Recommendation.YES, {"Notes": "Strong discovery"},
         {"drive": 4, "resilience": 5, "coachability": None}),
        (people["bo"], "new.rater@example.com", ScorecardStatus.SUBMITTED, Recommendation.STRONG_NO, {},
         {"drive": 1, "resilience": 2, "coachability": 2}),
    ]  # fmt: skip
    with app.app_context():
        created = db.session.scalars(db.select(User).where(User.email == "new.rater@example.com")).one()
        assert (created.role, created.active, created.password_hash) == (Role.INTERVIEWER, False, None)
        entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "scorecards.imported")).one()
        assert entry.details["created"] == 2
    again = run(runner, tmp_path, text)
    assert "Imported 0 scorecards; 2 were already there." in again.output
    assert len(scorecards(app)) == 2


@pytest.mark.parametrize(
    "row, message",
    [
        ("NOBODY,ivy@example.com,2025-03-01,yes,4,,,", "Line 2, candidate_ref (column A): No candidate has"),
        ("ATS-1,not-an-email,2025-03-01,yes,4,,,", "Line 2, interviewer_email (column B): “not-an-email” is not"),
        ("ATS-1,ivy@example.com,01/03/2025,yes,4,,,", "Line 2, interviewed_on (column C): “01/03/2025” is not a date"),
        ("ATS-1,ivy@example.com,2999-01-01,yes,4,,,", "The date is in the future"),
        ("ATS-1,ivy@example.com,2025-03-01,maybe,4,,,", "Line 2, recommendation (column D): “maybe” is not a recommen"),
        ("ATS-1,ivy@example.com,2025-03-01,yes,6,,,", "Line 2, drive (column E): “6” is not a rating"),
        ("ATS-1,ivy@example.com,2025-03-01,yes,4.5,,,", "“4.5” is not a rating"),
        ("ATS-1,ivy@example.com,2025-03-01,yes,,,,", "Every rating is blank"),
    ],
)
def test_bad_rows_are_reported_and_nothing_is_imported(app, runner, tmp_path, people, row, message):
    good = "BO@example.org,ivy@example.com,2025-03-02,no,2,2,2,\n"
    result = run(runner, tmp_path, HEADER + good + row + "\n")
    assert result.exit_code == 1
    assert message.replace("Line 2", "Line 3") in result.output
    assert "Nothing was imported" in result.output
    assert scorecards(app) == []
    skipped = run(runner, tmp_path, HEADER + good + row + "\n", "--skip-invalid")
    assert skipped.exit_code == 0 and "Imported 1 scorecard;" in skipped.output


def test_unknown_trait_key_is_an_error(app, runner, tmp_path, people):
    text = "candidate_ref,interviewer_email,interviewed_on,recommendation,drive,charisma\n"
    result = run(runner, tmp_path, text + "ATS-1,ivy@example.com,2025-03-01,yes,4,5\n")
    assert result.exit_code == 1
    assert "Line 1, charisma: Unknown column: not a trait key or a known column." in result.output
    assert scorecards(app) == []


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "The file is empty"),
        ("candidate_ref,interviewer_email,interviewed_on,drive\n", "needs the column(s) recommendation"),
        ("candidate_ref,interviewer_email,interviewed_on,recommendation\n", "has no trait columns"),
        (HEADER, "no data rows"),
    ],
)
def test_whole_file_problems(app, runner, tmp_path, people, text, message):
    result = run(runner, tmp_path, text)
    assert result.exit_code == 1 and message in result.output and "Nothing was imported" in result.output


def test_imported_scorecards_appear_in_the_combined_view(app, runner, tmp_path, people, client, manager):
    run(runner, tmp_path, HEADER + "ATS-1,ivy@example.com,2025-03-01,strong_yes,5,4,3,Great\n")
    page = client.get(f"/candidates/{people['ada']}").text
    assert "Strong yes 1" in page and "Great" in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Rating)) == 3
