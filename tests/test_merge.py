"""Merging two records of one person: the screen, the merge, edit conflicts, and the list of likely duplicates."""

import html
import re
from datetime import UTC, date, datetime
from itertools import combinations

import pytest
import sqlalchemy as sa

from hiring import merge as merge_module
from hiring import merge_pairs
from hiring.duplicates import NAME_SIMILARITY, name_similarity
from hiring.merge import merge_candidates
from hiring.merge_fields import BOTH, OTHER
from models import (
    Application,
    AuditEntry,
    Candidate,
    CandidateScore,
    Certainty,
    ConsentMethod,
    Hire,
    Interview,
    InterviewKind,
    ModelVersion,
    PeriodResult,
    PoolStatus,
    Role,
    Scorecard,
    ScorecardTemplate,
    Source,
    StageMove,
    StatusChange,
    Tier,
    Touch,
    TouchKind,
    db,
)
from models.search import matches_search
from tests.factories import make_candidate, make_opening, make_user, sign_in_as

CONFLICT_START = "Someone else saved this record while you were editing it."


@pytest.fixture
def manager(app, client):
    """Sign in as a hiring manager and return them."""
    with app.app_context():
        user = make_user(Role.MANAGER, email="max@example.com", name="Max Manager")
    sign_in_as(client, user)
    return user


def merge_url(candidate_id: int, other_id: int) -> str:
    return f"/candidates/{candidate_id}/merge/{other_id}"


def submitted(page_html: str) -> dict[str, str]:
    """Return what a browser would send for the page's form as it stands: checked radios and hidden inputs."""
    data = {}
    for tag in re.findall(r"<input ([^>]*)>", page_html):
        attributes = {name: html.unescape(value) for name, value in re.findall(r'([\w-]+)(?:="([^"]*)")?', tag)}
        if attributes.get("type") == "hidden" or (attributes.get("type") == "radio" and "checked" in attributes):
            data[attributes["name"]] = attributes.get("value", "")
    return data


def add_history(candidate_id: int, *, touches: int = 0, status_changes: int = 0) -> None:
    """Give a candidate some touches and status changes."""
    for number in range(touches):
        db.session.add(Touch(candidate_id=candidate_id, kind=TouchKind.CALL, summary=f"Call {number}"))
    for _ in range(status_changes):
        db.session.add(StatusChange(candidate_id=candidate_id, to_status=PoolStatus.ENGAGED))
    db.session.commit()


def add_application(candidate_id: int, opening_id: int, stage: str, *, moves: int = 1) -> int:
    """Put a candidate in an opening at ``stage`` with ``moves`` stage moves; return the application id."""
    application = Application(candidate_id=candidate_id, opening_id=opening_id, stage=stage)
    db.session.add(application)
    db.session.flush()
    for _ in range(moves):
        db.session.add(StageMove(application_id=application.id, to_stage=stage))
    db.session.commit()
    return application.id


def add_interview(candidate_id: int, interviewer_id: int) -> int:
    """Schedule an interview of a candidate, with one interviewer's scorecard; return the interview id."""
    template_id = db.session.scalar(sa.select(ScorecardTemplate.id).order_by(ScorecardTemplate.id).limit(1))
    interview = Interview(
        candidate_id=candidate_id,
        kind=InterviewKind.BEHAVIOURAL,
        scheduled_at=datetime(2024, 4, 2, 15, tzinfo=UTC),
        template_id=template_id,
    )
    db.session.add(interview)
    db.session.flush()
    db.session.add(
        Scorecard(
            interview_id=interview.id, interviewer_id=interviewer_id, candidate_id=candidate_id, template_id=template_id
        )
    )
    db.session.commit()
    return interview.id


def count(model, **where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).filter_by(**where))


def merge_ids(survivor_id: int, other_id: int, choices: dict[str, str] | None = None):
    """Merge by ids, as a command would, and commit."""
    result = merge_candidates(
        db.session.get(Candidate, survivor_id), db.session.get(Candidate, other_id), choices or {}
    )
    db.session.commit()
    return result


def test_screen_shows_both_records_side_by_side_with_defaults(app, client, manager):
    with app.app_context():
        a = make_candidate(name="Mia Lopez", email="mia@globex.com", company="Globex", notes="Met at SaaStr.")
        b = make_candidate(
            name="Mia López",
            email="mia.lopez@mail.example",
            alt_email="MIA@globex.com",
            company="Globex",
            title="Account Executive",
            notes="Referred by Jo.",
            tags=["referral"],
        )
        add_history(b.id, touches=2, status_changes=1)
        add_application(b.id, make_opening().id, "screen")
        add_interview(b.id, make_user(Role.INTERVIEWER).id)
    page = client.get(merge_url(a.id, b.id))
    assert page.status_code == 200
    text = page.text
    assert "Mia Lopez" in text and "Mia López" in text and "Account Executive" in text
    assert "same e-mail" in text and "similar name at the same company" in text
    assert "0 touches · 0 status changes · 0 openings · 0 interviews" in text
    assert "2 touches · 1 status change · 1 opening · 1 interview" in text
    assert 'id="row-title"' in text and text.count(">differs</span>") == 5  # name, e-mail, other e-mail, title, notes
    assert "referral" in text and "Keep both" in text
    form = submitted(text)
    # The older record survives; its values are pre-selected unless it has none; notes keep both.
    assert form["survivor"] == str(a.id)
    assert (form["take_name"], form["take_title"], form["take_alt_email"], form["take_notes"]) == (
        str(a.id),
        str(b.id),
        str(b.id),
        "both",
    )
    assert (form["candidate_version"], form["other_version"]) == ("1", "1")


def test_merge_applies_choices_and_moves_everything_to_the_survivor(app, client, manager):
    with app.app_context():
        a = make_candidate(
            name="Mia Lopez",
            email="mia@globex.com",
            company="Globex",
            tags=["enterprise", "saas"],
            notes="Met at SaaStr.",
            last_touch_at=datetime(2024, 1, 10, tzinfo=UTC),
            next_touch_on=date(2024, 6, 1),
        )
        b = make_candidate(
            name="Mia López",
            email="mia@globex.com",
            alt_email="mia.lopez@mail.example",
            phone="415 555 0100",
            company="Initech",
            title="Account Executive",
            tags=["saas", "referral"],
            notes="Referred by Jo.",
            last_touch_at=datetime(2024, 3, 5, tzinfo=UTC),
            next_touch_on=date(2024, 5, 1),
        )
        shared, only_b = make_opening(), make_opening()
        add_history(a.id, touches=2, status_changes=1)
        add_history(b.id, touches=3, status_changes=2)
        a_application = add_application(a.id, shared.id, "screen", moves=2)
        b_application = add_application(b.id, shared.id, "final", moves=3)
        b_only_application = add_application(b.id, only_b.id, "sourced", moves=1)
        interviewer = make_user(Role.INTERVIEWER)
        add_interview(a.id, interviewer.id)
        b_interview = add_interview(b.id, interviewer.id)
        assert (count(Touch), count(StatusChange), count(Application), count(StageMove)) == (5, 3, 3, 6)
        assert (count(Interview), count(Scorecard)) == (2, 2)

    form = submitted(client.get(merge_url(a.id, b.id)).text)
    form.update(take_name=str(b.id), take_company=str(b.id), take_next_touch_on=str(b.id))
    response = client.post(merge_url(a.id, b.id), data=form)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/candidates/{a.id}"
    with app.app_context():
        assert db.session.get(Candidate, b.id) is None
        survivor = db.session.get(Candidate, a.id)
        assert (survivor.name, survivor.email, survivor.alt_email, survivor.phone_normalized) == (
            "Mia López",
            "mia@globex.com",
            "mia.lopez@mail.example",
            "+14155550100",
        )
        assert (survivor.company, survivor.title, survivor.next_touch_on) == (
            "Initech",
            "Account Executive",
            date(2024, 5, 1),
        )
        assert survivor.notes == "Met at SaaStr.\n\nReferred by Jo."
        assert survivor.tag_names == ["enterprise", "referral", "saas"]
        assert survivor.last_touch_at == datetime(2024, 3, 5, tzinfo=UTC)  # the later of the two
        # Every row now belongs to the survivor, and nothing was lost except the weaker application.
        assert (count(Touch, candidate_id=a.id), count(StatusChange, candidate_id=a.id)) == (5, 3)
        assert (count(Touch), count(StatusChange), count(StageMove)) == (5, 3, 6)
        assert count(Application) == count(Application, candidate_id=a.id) == 2
        assert db.session.get(Application, a_application) is None
        kept = db.session.get(Application, b_application)
        assert (kept.candidate_id, kept.stage, count(StageMove, application_id=kept.id)) == (a.id, "final", 5)
        assert db.session.get(Application, b_only_application).candidate_id == a.id
        assert (count(Interview, candidate_id=a.id), count(Scorecard, candidate_id=a.id)) == (2, 2)
        assert db.session.get(Interview, b_interview).scorecards[0].candidate_id == a.id
        entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "candidate.merged")).one()
        assert (entry.actor_id, entry.target_type, entry.target_id) == (manager.id, "Candidate", str(a.id))
        assert entry.details == {
            "merged_id": b.id,
            "fields_from_merged": ["name", "alt_email", "phone", "company", "title", "notes", "next_touch_on"],
        }
    page = client.get("/candidates/duplicates")
    assert (
        f"Merged Mia López (#{b.id}) into Mia López. Moved over: 3 touches, 2 status changes, 2 openings "
        "and 1 interview." in page.text
    )


@pytest.mark.parametrize(
    "survivor_stage, other_stage, kept",
    [
        ("screen", "final", "other"),
        ("offer", "interviews", "survivor"),
        ("rejected", "sourced", "other"),  # rejected counts as least advanced
        ("sourced", "rejected", "survivor"),
        ("rejected", "rejected", "survivor"),  # a tie keeps the survivor's
        ("hired", "hired", "survivor"),
    ],
)
def test_same_opening_keeps_the_more_advanced_application(app, survivor_stage, other_stage, kept):
    with app.app_context():
        survivor, other, opening = make_candidate(), make_candidate(), make_opening()
        survivor_application = add_application(survivor.id, opening.id, survivor_stage, moves=2)
        other_application = add_application(other.id, opening.id, other_stage, moves=1)
        result = merge_ids(survivor.id, other.id)
        (application,) = db.session.scalars(sa.select(Application)).all()
        expected = survivor_application if kept == "survivor" else other_application
        stage = survivor_stage if kept == "survivor" else other_stage
        assert (application.id, application.candidate_id, application.stage) == (expected, survivor.id, stage)
        assert count(StageMove, application_id=application.id) == count(StageMove) == 3
        assert result.applications == (1 if kept == "other" else 0)


def test_survivor_takes_the_other_records_unique_email_and_external_id(app):
    with app.app_context():
        a = make_candidate(email="mia@globex.com", external_id="crm-1")
        b = make_candidate(email="mia@initech.example", external_id="crm-2")
        result = merge_ids(a.id, b.id, {"email": OTHER, "external_id": OTHER})
        survivor = db.session.get(Candidate, a.id)
        assert (survivor.email, survivor.external_id) == ("mia@initech.example", "crm-2")
        assert result.fields_from_merged == ["email", "external_id"]
        assert count(Candidate) == 1


def test_the_newer_record_can_survive(app, client, manager):
    with app.app_context():
        older = make_candidate(name="Mia Lopez", email="mia@globex.com", phone="415 555 0100", external_id="crm-1")
        newer = make_candidate(name="Mia L.", email="mia.lopez@mail.example", external_id="crm-2", tags=["event"])
        add_history(older.id, touches=1, status_changes=1)
    form = submitted(client.get(merge_url(older.id, newer.id)).text)
    assert form["survivor"] == str(older.id)
    form["survivor"] = str(newer.id)  # the values picked on the screen stay those of the older record
    response = client.post(merge_url(older.id, newer.id), data=form)
    assert response.headers["Location"] == f"/candidates/{newer.id}"
    with app.app_context():
        assert db.session.get(Candidate, older.id) is None
        survivor = db.session.get(Candidate, newer.id)
        assert (survivor.name, survivor.email, survivor.external_id, survivor.phone) == (
            "Mia Lopez",
            "mia@globex.com",
            "crm-1",
            "415 555 0100",
        )
        assert survivor.tag_names == ["event"]
        assert (count(Touch, candidate_id=newer.id), count(StatusChange, candidate_id=newer.id)) == (1, 1)
        entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "candidate.merged")).one()
        assert (entry.target_id, entry.details["merged_id"]) == (str(newer.id), older.id)
        assert entry.details["fields_from_merged"] == ["name", "email", "phone", "external_id"]


def test_a_record_changed_after_the_screen_loaded_is_not_merged(app, client, manager):
    with app.app_context():
        a = make_candidate(name="Mia Lopez")
        b = make_candidate(name="Mia López", title="Account Executive")
    form = submitted(client.get(merge_url(a.id, b.id)).text)
    form["take_name"] = str(b.id)
    with app.app_context():
        db.session.get(Candidate, b.id).title = "Regional Director"
        db.session.commit()

    response = client.post(merge_url(a.id, b.id), data=form)

    assert response.status_code == 200
    assert CONFLICT_START in response.text
    assert "Regional Director" in response.text  # what the record holds now
    again = submitted(response.text)
    assert again["take_name"] == str(b.id)  # the user's choice is kept
    assert (again["candidate_version"], again["other_version"]) == ("1", "2")
    with app.app_context():
        assert count(Candidate) == 2 and count(AuditEntry, action="candidate.merged") == 0
    # Sending the form again, having seen the new values, merges them.
    assert client.post(merge_url(a.id, b.id), data=again).status_code == 302
    with app.app_context():
        survivor = db.session.get(Candidate, a.id)
        assert (survivor.name, survivor.title) == ("Mia López", "Regional Director")
        assert db.session.get(Candidate, b.id) is None


def test_a_change_saved_during_the_merge_is_refused(app, client, manager, monkeypatch):
    with app.app_context():
        a, b = make_candidate(name="Mia Lopez"), make_candidate(name="Mia López")
    form = submitted(client.get(merge_url(a.id, b.id)).text)
    real_merge = merge_module.merge_candidates

    def merge_racing_another_editor(survivor, other, choices, actor):
        table = Candidate.__table__
        with db.engine.begin() as connection:  # another request saves the survivor meanwhile
            connection.execute(
                sa.update(table).where(table.c.id == survivor.id).values(version=table.c.version + 1, title="Saved")
            )
        return real_merge(survivor, other, choices, actor)

    monkeypatch.setattr(merge_module, "merge_candidates", merge_racing_another_editor)
    response = client.post(merge_url(a.id, b.id), data=form)
    assert response.status_code == 200
    assert CONFLICT_START in response.text
    assert submitted(response.text)["candidate_version"] == "2"
    with app.app_context():
        assert count(Candidate) == 2 and count(AuditEntry, action="candidate.merged") == 0
        assert db.session.get(Candidate, a.id).title == "Saved"


def test_a_pair_merged_by_a_colleague_meanwhile_leads_to_the_kept_record(app, client, manager):
    with app.app_context():
        a, b = make_candidate(name="Mia Lopez"), make_candidate(name="Mia López")
        colleague = app.test_client()
        sign_in_as(colleague, make_user(Role.MANAGER, name="Mo Manager"))
    form = submitted(client.get(merge_url(a.id, b.id)).text)
    assert (
        colleague.post(merge_url(a.id, b.id), data=submitted(colleague.get(merge_url(a.id, b.id)).text)).status_code
        == 302
    )

    late = client.post(merge_url(a.id, b.id), data=form, follow_redirects=True)

    assert late.request.path == f"/candidates/{a.id}"
    assert "These two records were merged already, by someone else" in late.text
    assert client.get(merge_url(b.id, a.id)).headers["Location"] == f"/candidates/{a.id}"  # the screen too
    with app.app_context():
        assert count(Candidate) == 1 and count(AuditEntry, action="candidate.merged") == 1


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_unknown_or_identical_records_are_not_found(app, client, manager, method):
    with app.app_context():
        a = make_candidate()
    for url in (merge_url(a.id, a.id + 100), merge_url(a.id + 100, a.id)):
        assert client.open(url, method=method).status_code == 404
    response = client.open(merge_url(a.id, a.id), method=method)
    assert response.status_code == 404
    assert "A record cannot be merged with itself." in response.text
    with app.app_context():
        assert count(Candidate) == 1
        with pytest.raises(ValueError, match="itself"):
            merge_ids(a.id, a.id)


def test_interviewers_may_not_merge(app, client):
    with app.app_context():
        interviewer = make_user(Role.INTERVIEWER)
        a, b = make_candidate(), make_candidate()
    sign_in_as(client, interviewer)
    assert client.get(merge_url(a.id, b.id)).status_code == 403
    assert client.post(merge_url(a.id, b.id), data={"survivor": str(a.id)}).status_code == 403
    assert client.get("/candidates/duplicates").status_code == 403
    with app.app_context():
        assert count(Candidate) == 2


@pytest.mark.parametrize(
    "choice, expected",
    [(BOTH, "Met at SaaStr.\n\nReferred by Jo."), (OTHER, "Referred by Jo."), ("survivor", "Met at SaaStr.")],
)
def test_notes_come_from_either_record_or_both(app, choice, expected):
    with app.app_context():
        a, b = make_candidate(notes="Met at SaaStr."), make_candidate(notes="Referred by Jo.")
        merge_ids(a.id, b.id, {"notes": choice})
        assert db.session.get(Candidate, a.id).notes == expected


def test_fields_that_belong_together_are_shown_and_taken_together(app, client, manager):
    with app.app_context():
        jo, kim = make_user(name="Jo Owner"), make_user(name="Kim Owner")
        a = make_candidate(
            past_attainment_pct=95,
            attainment_verified=True,
            source=Source.REFERRAL,
            referrer="Sam Referrer",
            consent_on=date(2023, 1, 2),
            consent_method=ConsentMethod.VERBAL,
            consent_expires_on=date(2025, 1, 2),
            owner_id=jo.id,
        )
        b = make_candidate(
            past_attainment_pct=120,
            source=Source.EVENT,
            consent_on=date(2024, 3, 4),
            consent_method=ConsentMethod.WEB_FORM,
            consent_expires_on=date(2026, 3, 4),
            owner_id=kim.id,
            status=PoolStatus.INTERVIEWING,
        )
    page = client.get(merge_url(a.id, b.id)).text
    for shown in (
        "95 % (verified)",
        "120 % (not verified)",
        "Referral, referred by Sam Referrer",
        "given 2024-03-04, by Web form, expires 2026-03-04",
        "Jo Owner",
        "Kim Owner",
        "Interviewing",
    ):
        assert shown in page, shown
    with app.app_context():
        choices = {key: OTHER for key in ("past_attainment_pct", "source", "consent", "owner", "status")}
        result = merge_ids(a.id, b.id, choices)
        survivor = db.session.get(Candidate, a.id)
        assert (survivor.past_attainment_pct, survivor.attainment_verified) == (120, False)
        assert (survivor.source, survivor.referrer) == (Source.EVENT, None)
        assert (survivor.consent_on, survivor.consent_method, survivor.consent_expires_on) == (
            date(2024, 3, 4),
            ConsentMethod.WEB_FORM,
            date(2026, 3, 4),
        )
        assert (survivor.owner_id, survivor.status) == (kim.id, PoolStatus.INTERVIEWING)
        assert result.fields_from_merged == ["past_attainment_pct", "source", "owner", "status", "consent"]


def test_a_choice_naming_neither_record_is_refused(app, client, manager):
    with app.app_context():
        a, b = make_candidate(name="Mia Lopez"), make_candidate(name="Mia López")
    form = submitted(client.get(merge_url(a.id, b.id)).text)
    form["take_name"] = str(b.id + 100)
    response = client.post(merge_url(a.id, b.id), data=form)
    assert response.status_code == 200
    assert "Not a valid choice." in response.text
    with app.app_context():
        assert count(Candidate) == 2


def test_search_finds_the_survivor_by_merged_values(app):
    with app.app_context():
        a = make_candidate(name="Mia Lopez", company="Globex", tags=["saas"])
        b = make_candidate(
            name="Mia López", company="Initech", title="Enterprise AE", email="mia@initech.example", tags=["referral"]
        )
        merge_ids(a.id, b.id, {"company": OTHER, "email": OTHER})

        def found(query):
            clause = matches_search(query, db.engine.dialect.name)
            return db.session.scalars(sa.select(Candidate.id).where(clause)).all()

        for query in ("initech", "enterprise", "referral", "saas", "mia@initech.example"):
            assert found(query) == [a.id], query
        assert found("globex") == []


def test_every_table_pointing_at_candidates_or_applications_is_merged():
    """A new table holding rows of a candidate or an application needs a step in merge_candidates.

    Without one, deleting the merged record would silently cascade-delete those rows.
    """

    def pointing_at(table_name):
        return {
            table.name
            for table in db.metadata.tables.values()
            for key in table.foreign_keys
            if key.column.table.name == table_name
        }

    assert pointing_at("candidate") == {
        "candidate_tag",
        "touch",
        "status_change",
        "application",
        "interview",
        "scorecard",
        "hire",  # moved to the survivor; a merge of two hired records is refused
        "candidate_score",  # deleted for both; hiring.ranking scores the survivor again
        "self_identification",  # the survivor keeps its own, else takes the other's
        "decision",  # moved to the survivor
        "shortlist_entry",  # moved to the survivor; one entry per list, with both comments
        "resume_file",  # moved to the survivor; a file it has already (same SHA-256) is dropped
    }
    assert pointing_at("application") == {"stage_move"}


def add_hire(candidate_id: int, *periods: str) -> int:
    """Record a hire of the candidate, with a month of results per period; return the hire id."""
    hire = Hire(candidate_id=candidate_id, hired_on=date(2023, 1, 10))
    db.session.add(hire)
    db.session.flush()
    for period in periods:
        db.session.add(PeriodResult(hire_id=hire.id, period=period, quota=1000, booked=900))
    db.session.commit()
    return hire.id


def add_score(candidate_id: int) -> None:
    """Give a candidate a fit score of a (dummy) model version."""
    version = db.session.scalar(sa.select(ModelVersion).limit(1))
    if version is None:
        version = ModelVersion(number=1, file_name="x.skops", file_sha256="0" * 64, rule={}, features=[], data={},
                               libraries={}, report={})  # fmt: skip
        db.session.add(version)
        db.session.flush()
    db.session.add(
        CandidateScore(candidate_id=candidate_id, model_version_id=version.id, p_a=0.5, p_b=0.3, p_c=0.2, score=60,
                       predicted_tier=Tier.A, certainty=Certainty.LOW, reasons={}, interviews=1)
    )  # fmt: skip
    db.session.commit()


@pytest.mark.parametrize("hired", ["other", "survivor"])
def test_merge_moves_the_hire_and_drops_both_fit_scores(app, client, manager, hired):
    with app.app_context():
        survivor = make_candidate(name="Mia Lopez", email="mia@globex.com")
        other = make_candidate(name="Mia López", email="mia@example.org")
        hire_id = add_hire((other if hired == "other" else survivor).id, "2023-04", "2023-05")
        add_score(survivor.id)
        add_score(other.id)
    page = client.get(merge_url(survivor.id, other.id)).text
    response = client.post(merge_url(survivor.id, other.id), data={**submitted(page), "survivor": str(survivor.id)})
    assert response.status_code == 302
    with app.app_context():
        hire = db.session.get(Hire, hire_id)
        assert (hire.candidate_id, [r.period for r in hire.results]) == (survivor.id, ["2023-04", "2023-05"])
        assert count(CandidateScore) == 0
        entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "candidate.merged")).one()
        assert entry.details.get("hire_moved") is (True if hired == "other" else None)
    text = html.unescape(client.get(f"/candidates/{survivor.id}").text)
    if hired == "other":
        assert (
            "Moved over: 0 touches, 0 status changes, 0 openings, 0 interviews and the hire with its results." in text
        )


def test_merge_of_two_hired_records_is_refused_and_changes_nothing(app, client, manager):
    with app.app_context():
        survivor = make_candidate(name="Mia Lopez", email="mia@globex.com")
        other = make_candidate(name="Mia López", email="mia@example.org")
        hires = (add_hire(survivor.id, "2023-04"), add_hire(other.id, "2023-05"))
        add_score(other.id)
    page = client.get(merge_url(survivor.id, other.id)).text
    response = client.post(merge_url(survivor.id, other.id), data=submitted(page))
    assert response.status_code == 200
    assert "Both records have a hire with its own monthly results" in html.unescape(response.text)
    assert "Nothing was merged." in response.text
    with app.app_context():
        assert db.session.get(Candidate, other.id) is not None
        assert [db.session.get(Hire, hire_id).candidate_id for hire_id in hires] == [survivor.id, other.id]
        assert count(PeriodResult) == 2 and count(CandidateScore) == 1
        assert count(AuditEntry, action="candidate.merged") == 0
        assert db.session.get(Candidate, survivor.id).version == 1
    with app.app_context(), pytest.raises(merge_module.MergeRefused):
        merge_ids(survivor.id, other.id)


def pairs_listed(page_html: str) -> dict[tuple[int, int], list[str]]:
    """Return the pairs on the duplicates page, each with the reasons shown."""
    listed = {}
    for row in page_html.split("<tr>")[2:]:
        (ids,) = re.findall(r'href="/candidates/(\d+)/merge/(\d+)"', row)
        listed[tuple(map(int, ids))] = re.findall(r'badge text-bg-info">([^<]+)<', row)
    return listed


def test_duplicates_page_lists_pairs_found_by_every_reason(app, client, manager):
    with app.app_context():
        by_email = (
            make_candidate(name="Ada One", email="ada@globex.com"),
            make_candidate(name="Ada Uno", email="ada@mail.example", alt_email=" ADA@globex.com"),
        )
        by_phone = (
            make_candidate(name="Bo Two", phone="(415) 555-0100"),
            make_candidate(name="Bob Dos", phone="+1 415 555 0100"),
        )
        by_linkedin = (
            make_candidate(name="Cy Three", linkedin_url="https://www.linkedin.com/in/CyThree/"),
            (make_candidate(name="Cyrus Tres", linkedin_url="linkedin.com/in/cythree")),
        )
        by_name = (
            make_candidate(name="Jon Smith", company="Initech"),
            make_candidate(name="John Smith", company="INITECH"),
        )
        make_candidate(name="Leo Park", company="Initech")  # same company, another person
        make_candidate(name="Jon Smith", company="Globex")  # same name, another company
        make_candidate(name="Di Four", phone="415 555 0199", linkedin_url="linkedin.com/in/difour")
    page = client.get("/candidates/duplicates")
    assert page.status_code == 200
    assert "Showing 1–4 of 4 pairs" in page.text
    assert pairs_listed(page.text) == {
        (by_email[0].id, by_email[1].id): ["same e-mail"],
        (by_phone[0].id, by_phone[1].id): ["same phone"],
        (by_linkedin[0].id, by_linkedin[1].id): ["same LinkedIn URL"],
        (by_name[0].id, by_name[1].id): ["similar name at the same company"],
    }
    assert page.text.count("Review and merge") == 4


def test_duplicates_page_is_paged_and_skips_placeholder_values(app, client, manager, monkeypatch):
    monkeypatch.setattr(merge_pairs, "MAX_SHARED", 3)
    app.config["PAGE_SIZE"] = 2
    with app.app_context():
        pairs = []
        for number in range(3):
            phone = f"415 555 010{number}"
            pairs.append((make_candidate(phone=phone).id, make_candidate(phone=phone).id))
        for _ in range(4):  # a switchboard number shared by more records than one person has
            make_candidate(phone="415 555 0000", email=None)
    first, second = client.get("/candidates/duplicates"), client.get("/candidates/duplicates?page=2")
    assert "Showing 1–2 of 3 pairs" in first.text
    # Newest pairs first.
    assert list(pairs_listed(first.text)) == pairs[:0:-1]
    assert list(pairs_listed(second.text)) == pairs[:1]
    assert client.get("/candidates/duplicates?page=3").status_code == 404


def test_name_matching_finds_what_comparing_every_pair_finds():
    names = [
        "Jon Smith",
        "John Smith",
        "Smith John",
        "J. Smith",
        "Ana López",
        "ana lopez",
        "Lopez Ana",
        "Anna Lopes",
        "Kristina Andersson",
        "Christina Andersson",
        "Mia Wong",
        "Leo Wong",
        "Zoë Ortega-Díaz",
        "Zoe Ortega-Diaz",
        "Kristina Andersen",
    ]
    people = list(enumerate(names))
    every_pair = {
        (a, b) for a, b in combinations(range(len(names)), 2) if name_similarity(names[a], names[b]) >= NAME_SIMILARITY
    }
    assert {(0, 1), (0, 2), (4, 5), (4, 6), (8, 9), (8, 14), (12, 13)} <= every_pair
    assert merge_pairs.similar_names_within(people) == every_pair


def test_duplicates_page_with_no_pairs(app, client, manager):
    with app.app_context():
        make_candidate(name="Ada One"), make_candidate(name="Bo Two")
    page = client.get("/candidates/duplicates")
    assert page.status_code == 200
    assert "No pairs match." in page.text and "Review and merge" not in page.text
