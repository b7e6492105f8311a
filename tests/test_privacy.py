"""Consent and retention, anonymisation, erasure and access requests."""

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from hiring import retention
from hiring.pool import pool_query
from models import (
    Application,
    AuditEntry,
    Candidate,
    CandidateScore,
    Certainty,
    ConsentMethod,
    Decision,
    DecisionKind,
    Hire,
    Interview,
    ModelVersion,
    Opening,
    OpeningStatus,
    PeriodResult,
    PoolStatus,
    RaceEthnicity,
    Rating,
    Role,
    Scorecard,
    ScorecardRevision,
    SelfIdentification,
    Sex,
    Shortlist,
    ShortlistEntry,
    StageMove,
    StatusChange,
    Tag,
    Tier,
    Touch,
    TouchKind,
    db,
)
from models.search import matches_search
from tests.dump import dump_database_text
from tests.factories import make_candidate, make_opening, make_scorecard, make_user, sign_in_as

TODAY = date.today()
NAME = "Zebulon Quixwright"
EMAIL_TYPED = "Zebulon.Quixwright@Quuxmail.example"
ALT_EMAIL = "zq.sales@vorpalwerks.example"
PHONE_TYPED = "(415) 555-0187"
PHONE_NORMALISED = "+14155550187"
PHONE_DIGITS = "4155550187"
# Every trace of the person that must be gone from the whole database.
TRACES = [
    "zebulon", "quixwright", EMAIL_TYPED.lower(), ALT_EMAIL, "vorpalwerks", PHONE_TYPED, PHONE_NORMALISED,
    PHONE_DIGITS, "zq-9931",
]  # fmt: skip


def days_ago(days: int) -> datetime:
    """A moment ``days`` days before today, at noon UTC."""
    return datetime.combine(TODAY - timedelta(days=days), time(12), UTC)


def months_ago(months: int, days: int = 0) -> datetime:
    """A moment ``months`` calendar months and ``days`` days before today, at noon UTC."""
    return datetime.combine(TODAY - relativedelta(months=months) - timedelta(days=days), time(12), UTC)


@pytest.fixture
def admin(app, client):
    """Sign the client in as an admin, and return them."""
    with app.app_context():
        user = make_user(Role.ADMIN, name="Ada Admin")
    sign_in_as(client, user)
    return user


def sign_in_with_role(app, client, role: Role):
    """Sign the client in as a new user of ``role``."""
    with app.app_context():
        user = make_user(role)
    sign_in_as(client, user)
    return user


def traces_in(text: str) -> list[str]:
    """Return the person's traces found in ``text`` (case-insensitive)."""
    lowered = text.lower()
    return [trace for trace in TRACES if trace.lower() in lowered]


def found_by_search(query: str) -> list[int]:
    """Ids of candidates the pool search finds for ``query``."""
    return db.session.scalars(sa.select(Candidate.id).where(matches_search(query, db.engine.dialect.name))).all()


def make_person() -> dict:
    """A candidate with a distinctive name, e-mail and phone, and every kind of row Bench can hold on them."""
    interviewer = make_user(Role.INTERVIEWER, name="Ivy Interviewer")
    manager = make_user(Role.MANAGER, name="Mo Manager")
    person = make_candidate(
        name=NAME, email=EMAIL_TYPED, alt_email=ALT_EMAIL, phone=PHONE_TYPED, location="Vorpalwerks Springs",
        linkedin_url="https://www.linkedin.com/in/zquixwright", company="Vorpalwerks", title="Quixwright's AE",
        referrer="Ann Quixwright", notes=f"Met {NAME} at a meetup. Call {PHONE_TYPED}.", external_id="ZQ-9931",
        tags=["quixwright-referral", "enterprise"], consent_on=TODAY, consent_method=ConsentMethod.EMAIL,
        owner_id=manager.id,
    )  # fmt: skip
    cid = person.id
    opening = make_opening(title="Enterprise AE")
    application = Application(candidate_id=cid, opening_id=opening.id, stage="interviews", added_by_id=manager.id)
    db.session.add(application)
    db.session.flush()
    db.session.add_all(
        [
            StageMove(application_id=application.id, to_stage="sourced", moved_by_id=manager.id),
            StageMove(application_id=application.id, from_stage="sourced", to_stage="interviews"),
            Touch(
                candidate_id=cid, kind=TouchKind.CALL, summary="Called Zebulon on 415-555-0187", author_id=manager.id
            ),
            Touch(candidate_id=cid, kind=TouchKind.NOTE, summary="Quixwright prefers e-mail"),
            StatusChange(candidate_id=cid, to_status=PoolStatus.ENGAGED, reason="Zebulon replied"),
        ]
    )
    db.session.commit()
    card_ids = [
        make_scorecard(cid, interviewer.id, {"drive": 5, "coachability": 4, "resilience": None}),
        make_scorecard(cid, manager.id, {"drive": 4, "integrity": 3}, recommendation="strong_yes"),
    ]
    for card in db.session.scalars(sa.select(Scorecard).where(Scorecard.id.in_(card_ids))):
        card.answers = {"Key take-aways": "Zebulon Quixwright closed Vorpalwerks' biggest deal"}
        for rating in card.ratings:
            rating.note = f"Quixwright: {rating.score}"
        db.session.add(
            ScorecardRevision(
                scorecard_id=card.id,
                revision=1,
                reason="Zebulon asked to fix a typo",
                snapshot={
                    "recommendation": "yes",
                    "answers": {"Concerns": "Quixwright"},
                    "ratings": {"drive": [3, "Zebulon was late"]},
                },
            )  # fmt: skip
        )
    hire = Hire(candidate_id=cid, hired_on=date(2024, 1, 15), role="Account Executive", territory="West",
                tier_override=Tier.A, override_reason="Zebulon's deals came late")  # fmt: skip
    db.session.add(hire)
    db.session.flush()
    for period, booked in (("2024-05", 900), ("2024-06", 1200), ("2024-07", 1100)):
        db.session.add(PeriodResult(hire_id=hire.id, period=period, quota=1000, booked=booked))
    db.session.add(SelfIdentification(candidate_id=cid, sex=Sex.MALE, race_ethnicity=RaceEthnicity.ASIAN))
    version = ModelVersion(number=1, file_name="x.skops", file_sha256="0" * 64, rule={}, features=[], data={},
                           libraries={}, report={})  # fmt: skip
    db.session.add(version)
    db.session.flush()
    db.session.add_all(
        [
            CandidateScore(candidate_id=cid, model_version_id=version.id, p_a=0.7, p_b=0.2, p_c=0.1, score=81,
                           predicted_tier=Tier.A, certainty=Certainty.MEDIUM, interviews=2,
                           reasons={"up": [{"trait": "drive", "label": "Drive", "effect": 0.3}], "down": []}),
            Decision(candidate_id=cid, opening_id=opening.id, kind=DecisionKind.FORWARD, from_state="sourced",
                     to_state="interviews", reason="Zebulon Quixwright impressed us", decided_by_id=manager.id,
                     model_version_number=1, model_tier=Tier.A, model_p_a=0.7, model_score=81),
            Decision(candidate_id=cid, kind=DecisionKind.HIRE, from_state="offer", to_state="hired",
                     reason="Quixwright accepted", decided_by_id=manager.id),
        ]
    )  # fmt: skip
    db.session.commit()
    return {"id": cid, "opening_id": opening.id, "hire_id": hire.id, "manager_id": manager.id}


def statistics_of(candidate_id: int) -> dict:
    """What anonymisation must keep: ratings, recommendations, stage history, outcomes, decisions, the score."""
    cards = sa.select(Scorecard.id).where(Scorecard.candidate_id == candidate_id)
    hire_ids = sa.select(Hire.id).where(Hire.candidate_id == candidate_id)
    return {
        "ratings": sorted(
            (r.trait_id, r.score) for r in db.session.scalars(sa.select(Rating).where(Rating.scorecard_id.in_(cards)))
        ),
        "recommendations": sorted(
            c.recommendation.value
            for c in db.session.scalars(sa.select(Scorecard).where(Scorecard.candidate_id == candidate_id))
        ),
        "stage_moves": db.session.scalar(
            sa.select(sa.func.count())
            .select_from(StageMove)
            .join(Application)
            .where(Application.candidate_id == candidate_id)
        ),
        "status_changes": db.session.scalar(
            sa.select(sa.func.count()).select_from(StatusChange).where(StatusChange.candidate_id == candidate_id)
        ),
        "hire": db.session.scalars(sa.select(Hire.tier_override).where(Hire.candidate_id == candidate_id)).all(),
        "results": sorted(
            (r.period, float(r.booked))
            for r in db.session.scalars(sa.select(PeriodResult).where(PeriodResult.hire_id.in_(hire_ids)))
        ),
        "decisions": sorted(
            (d.kind.value, d.model_score or 0)
            for d in db.session.scalars(sa.select(Decision).where(Decision.candidate_id == candidate_id))
        ),
        "score": db.session.scalar(sa.select(CandidateScore.score).where(CandidateScore.candidate_id == candidate_id)),
    }


def rows_pointing_at(candidate_id: int) -> dict[str, int]:
    """Count, per table with a foreign key to candidates, the rows pointing at ``candidate_id``."""
    counts = {}
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == "candidate":
                counts[table.name] = db.session.scalar(
                    sa.select(sa.func.count()).select_from(table).where(fk.parent == candidate_id)
                )
    return counts


# Consent expiry ----------------------------------------------------------------


def listed(show: str, **kwargs) -> list[int]:
    """Ids on the consents list (``show`` is "expired" or "expiring")."""
    return [row.id for row in retention.consent_rows(show=show, **kwargs)]


def test_recorded_expiry_decides(app):
    with app.app_context():
        past = make_candidate(consent_expires_on=TODAY - timedelta(days=1))
        today = make_candidate(consent_expires_on=TODAY)
        soon = make_candidate(consent_expires_on=TODAY + timedelta(days=30))
        later = make_candidate(consent_expires_on=TODAY + timedelta(days=31))
        # A recent touch does not extend a consent recorded with its own expiry.
        touched = make_candidate(consent_expires_on=TODAY - timedelta(days=3), last_touch_at=days_ago(1))
        assert sorted(listed("expired")) == sorted([past.id, touched.id])
        assert listed("expiring") == [today.id, soon.id]
        assert later.id not in listed("expired") + listed("expiring")


def test_default_expiry_is_months_after_the_last_contact(app):
    with app.app_context():
        stale = make_candidate(last_touch_at=months_ago(24, days=1))
        recent = make_candidate(last_touch_at=months_ago(20), created_at=months_ago(60))
        # Never touched: counted from the day the record was added.
        never_touched = make_candidate(created_at=months_ago(30))
        due = make_candidate(last_touch_at=months_ago(24, days=-10))
        assert sorted(listed("expired")) == sorted([stale.id, never_touched.id])
        assert listed("expiring") == [due.id]
        assert recent.id not in listed("expired") + listed("expiring")
        row = next(r for r in retention.consent_rows(show="expiring") if r.id == due.id)
        assert row.expires_on == (TODAY - relativedelta(months=24) + timedelta(days=10)) + relativedelta(months=24)
        assert "last contact" in row.why


def test_consent_months_is_configurable(app):
    app.config["CONSENT_MONTHS"] = 6
    with app.app_context():
        candidate = make_candidate(last_touch_at=months_ago(7))
        assert listed("expired") == [candidate.id]


@pytest.mark.parametrize("today", [date(2026, 3, 1), date(2026, 2, 28), date(2024, 2, 29), date(2026, 3, 31)])
def test_sql_cutoff_agrees_with_calendar_months_around_month_ends(app, today):
    app.config["CONSENT_MONTHS"] = 1
    with app.app_context():
        contacts = [today - relativedelta(months=1) + timedelta(days=offset) for offset in range(-5, 6)]
        people = {make_candidate(last_touch_at=datetime.combine(day, time(23, 59), UTC)).id: day for day in contacts}
        expired = set(listed("expired", today=today))
        for candidate_id, contact in people.items():
            assert (candidate_id in expired) == (contact + relativedelta(months=1) < today), contact


def test_open_applications_hires_and_anonymised_records_need_no_consent(app):
    stale = {"last_touch_at": months_ago(30)}
    with app.app_context():
        in_open = make_candidate(**stale)
        in_hold = make_candidate(**stale)
        in_closed = make_candidate(**stale)
        rejected_in_open = make_candidate(**stale)
        make_candidate(status=PoolStatus.HIRED, **stale)
        hire_row = make_candidate(**stale)
        make_candidate(anonymised_at=days_ago(5), **stale)
        plain = make_candidate(**stale)
        open_ = make_opening(status=OpeningStatus.OPEN)
        on_hold = make_opening(status=OpeningStatus.ON_HOLD)
        closed = make_opening(status=OpeningStatus.CLOSED)
        db.session.add_all(
            [
                Application(candidate_id=in_open.id, opening_id=open_.id, stage="screen"),
                Application(candidate_id=in_hold.id, opening_id=on_hold.id, stage="screen"),
                Application(candidate_id=in_closed.id, opening_id=closed.id, stage="final"),
                Application(candidate_id=rejected_in_open.id, opening_id=open_.id, stage="rejected"),
                Hire(candidate_id=hire_row.id, hired_on=TODAY),
            ]
        )
        db.session.commit()
        assert sorted(listed("expired")) == sorted([in_closed.id, rejected_in_open.id, plain.id])


# The consents page ----------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN])
def test_managers_and_admins_see_the_consents_page(app, client, role):
    sign_in_with_role(app, client, role)
    with app.app_context():
        make_candidate(name="Expiring Erin", consent_expires_on=TODAY + timedelta(days=3))
        make_candidate(name="Expired Eddie", consent_expires_on=TODAY - timedelta(days=3))
    page = client.get("/consents")
    assert page.status_code == 200
    assert "Expiring Erin" in page.text and "Expired Eddie" not in page.text
    page = client.get("/consents?show=expired")
    assert "Expired Eddie" in page.text and "Expiring Erin" not in page.text


def test_interviewers_may_not_see_consents(app, client):
    sign_in_with_role(app, client, Role.INTERVIEWER)
    assert client.get("/consents").status_code == 403
    with app.app_context():
        candidate = make_candidate()
    assert client.post(f"/consents/{candidate.id}/renew").status_code == 403


def test_consents_filter_by_owner_sort_and_page(app, client, manager):
    app.config["PAGE_SIZE"] = 2
    with app.app_context():
        other = make_user(Role.MANAGER, name="Olga Owner")
        make_candidate(name="Amy Alpha", owner_id=manager.id, consent_expires_on=TODAY + timedelta(days=9))
        make_candidate(name="Bob Beta", owner_id=other.id, consent_expires_on=TODAY + timedelta(days=1))
        make_candidate(name="Cy Gamma", consent_expires_on=TODAY + timedelta(days=5))
    first = client.get("/consents").text
    assert first.index("Bob Beta") < first.index("Cy Gamma") and "Amy Alpha" not in first
    assert "Amy Alpha" in client.get("/consents?page=2").text
    by_name = client.get("/consents?sort=-name").text
    assert by_name.index("Cy Gamma") < by_name.index("Bob Beta") and "Amy Alpha" not in by_name
    mine = client.get(f"/consents?owner={manager.id}").text
    assert "Amy Alpha" in mine and "Bob Beta" not in mine and "Cy Gamma" not in mine
    nobody = client.get("/consents?owner=none").text
    assert "Cy Gamma" in nobody and "Amy Alpha" not in nobody
    by_owner = client.get("/consents?sort=owner").text
    assert by_owner.index("Max Manager") < by_owner.index("Olga Owner")


def test_renewing_consent_sets_it_for_the_configured_months_without_a_version_bump(app, client, manager):
    with app.app_context():
        candidate = make_candidate(name="Renee Renew", consent_expires_on=TODAY + timedelta(days=2))
    given_on = TODAY - timedelta(days=1)
    response = client.post(
        f"/consents/{candidate.id}/renew?show=expiring&sort=name",
        data={f"c{candidate.id}-given_on": given_on.isoformat(), f"c{candidate.id}-method": "verbal"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/consents?show=expiring&sort=name"
    with app.app_context():
        renewed = db.session.get(Candidate, candidate.id)
        assert renewed.consent_on == given_on
        assert renewed.consent_method == ConsentMethod.VERBAL
        assert renewed.consent_expires_on == given_on + relativedelta(months=24)
        assert renewed.version == candidate.version
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "candidate.consent_renewed"))
        assert entry.target_id == str(candidate.id) and entry.details == {"method": "verbal"}
    page = client.get("/consents").text
    assert "Consent of Renee Renew renewed" in page and f'href="/candidates/{candidate.id}"' not in page


@pytest.mark.parametrize(
    ("given_on", "method", "message"),
    [
        (TODAY.isoformat(), "", "Say how consent was obtained."),
        ("", "email", "Give the date."),
        ((TODAY + timedelta(days=1)).isoformat(), "email", "Consent cannot be given in the future."),
        ((TODAY - relativedelta(months=25)).isoformat(), "email", "would already have expired"),
        ("not a date", "email", "Not a valid date value."),
    ],
)
def test_invalid_renewals_are_refused_with_the_input_kept(app, client, manager, given_on, method, message):
    with app.app_context():
        candidate = make_candidate(name="Renee Renew", consent_expires_on=TODAY + timedelta(days=2))
    response = client.post(
        f"/consents/{candidate.id}/renew",
        data={f"c{candidate.id}-given_on": given_on, f"c{candidate.id}-method": method},
    )
    assert response.status_code == 400
    assert message in response.text
    assert f'value="{given_on}"' in response.text
    with app.app_context():
        assert db.session.get(Candidate, candidate.id).consent_on is None
        assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "candidate.consent_renewed")) is None


# Retention ------------------------------------------------------------------------


def test_retention_dry_run_lists_and_changes_nothing(app, runner):
    with app.app_context():
        expired = make_candidate(name="Old Olive", consent_expires_on=TODAY - timedelta(days=10))
        make_candidate(name="Fresh Fred", consent_expires_on=TODAY + timedelta(days=10))
        before = dump_database_text(db.engine)
    result = runner.invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    assert f"#{expired.id}  Old Olive  expired {TODAY - timedelta(days=10)}" in result.output
    assert "Fresh Fred" not in result.output
    assert "1 candidate would be anonymised." in result.output
    with app.app_context():
        assert dump_database_text(db.engine) == before


def test_retention_apply_anonymises_only_expired_consents(app, runner):
    with app.app_context():
        expired = make_candidate(name="Old Olive", notes="Olive likes sailing", consent_expires_on=TODAY - timedelta(1))
        stale = make_candidate(name="Stale Stan", last_touch_at=months_ago(25), tags=["stanfriend"])
        fresh = make_candidate(name="Fresh Fred", consent_expires_on=TODAY + timedelta(days=10))
        hired = make_candidate(name="Hired Hal", status=PoolStatus.HIRED, consent_expires_on=TODAY - timedelta(1))
    result = runner.invoke(args=["retention", "--apply"])
    assert result.exit_code == 0, result.output
    assert "Anonymised 2 candidates whose consent had expired." in result.output
    with app.app_context():
        names = dict(db.session.execute(sa.select(Candidate.id, Candidate.name)).all())
        assert names[expired.id] == f"Anonymised candidate {expired.id}"
        assert names[stale.id] == f"Anonymised candidate {stale.id}"
        assert names[fresh.id] == "Fresh Fred" and names[hired.id] == "Hired Hal"
        assert db.session.scalar(sa.select(Tag).where(Tag.name == "stanfriend")) is None
        entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "candidate.anonymised")).all()
        assert sorted(e.target_id for e in entries) == sorted([str(expired.id), str(stale.id)])
        assert all(e.details == {"reason": "consent_expired"} and e.actor_label == "command line" for e in entries)
        dump = dump_database_text(db.engine).lower()
        assert "olive" not in dump and "stale stan" not in dump and "stanfriend" not in dump
    again = runner.invoke(args=["retention"])
    assert "0 candidates would be anonymised." in again.output


# Anonymisation and erasure: every trace goes ---------------------------------------


def test_the_dump_sees_the_person_before(app):
    with app.app_context():
        person = make_person()
        assert traces_in(dump_database_text(db.engine)) == TRACES
        assert found_by_search("quixwright") == [person["id"]]
        assert found_by_search(PHONE_DIGITS) == [person["id"]]


def test_anonymisation_removes_every_trace_and_keeps_the_statistics(app):
    with app.app_context():
        person = make_person()
        cid = person["id"]
        kept = statistics_of(cid)
        candidate = db.session.get(Candidate, cid)
        retention.anonymise(candidate, reason="request")
        db.session.commit()

        assert traces_in(dump_database_text(db.engine)) == []
        assert found_by_search("quixwright") == [] and found_by_search("zebulon") == []
        assert found_by_search(PHONE_DIGITS) == [] and found_by_search("vorpalwerks") == []
        assert found_by_search("anonymised") == [cid]
        assert statistics_of(cid) == kept
        assert len(kept["ratings"]) == 5 and kept["results"] and kept["hire"] == [Tier.A]
        anonymised = db.session.get(Candidate, cid)
        assert anonymised.name == f"Anonymised candidate {cid}"
        assert anonymised.anonymised_at is not None
        assert anonymised.tags == [] and anonymised.notes == ""
        assert db.session.get(SelfIdentification, cid) is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Touch).where(Touch.candidate_id == cid)) == 0
        assert db.session.scalar(sa.select(Tag).where(Tag.name == "quixwright-referral")) is None
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "candidate.anonymised"))
        assert entry.target_id == str(cid) and entry.details == {"reason": "request"}


def test_anonymisation_blanks_shortlist_comments_and_keeps_the_entry(app):
    with app.app_context():
        person = make_person()
        shortlist = Shortlist(name="Enterprise picks", owner_id=person["manager_id"], description="")
        db.session.add(shortlist)
        db.session.flush()
        db.session.add(ShortlistEntry(shortlist_id=shortlist.id, candidate_id=person["id"], position=1,
                                      comment="Zebulon Quixwright is our top pick"))  # fmt: skip
        db.session.commit()
        retention.anonymise(db.session.get(Candidate, person["id"]), reason="request")
        db.session.commit()
        assert traces_in(dump_database_text(db.engine)) == []
        entry = db.session.scalar(sa.select(ShortlistEntry).where(ShortlistEntry.candidate_id == person["id"]))
        assert (entry.shortlist_id, entry.position, entry.comment) == (shortlist.id, 1, "")


def test_erasure_removes_every_trace_and_leaves_one_anonymous_audit_entry(app, client, admin):
    with app.app_context():
        person = make_person()
        cid = person["id"]
        audit_before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    page = client.get(f"/admin/candidates/{cid}/erase")
    assert page.status_code == 200
    assert "Type ERASE to confirm" in page.text and "5 ratings" in page.text and "3 months of results" in page.text

    response = client.post(f"/admin/candidates/{cid}/erase", data={"confirm": "ERASE"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/candidates/"
    with app.app_context():
        assert traces_in(dump_database_text(db.engine)) == []
        assert found_by_search("quixwright") == [] and found_by_search(PHONE_DIGITS) == []
        assert db.session.get(Candidate, cid) is None
        assert set(rows_pointing_at(cid).values()) == {0}
        for model in (Application, Interview, Scorecard, Rating, ScorecardRevision, Hire, PeriodResult, StageMove):
            assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0, model
        assert db.session.get(ModelVersion, 1) is not None  # the model itself is not the person's
        new_entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id).offset(audit_before)).all()
        assert [(e.action, e.target_type, e.target_id, e.details) for e in new_entries] == [
            ("person.erased", None, None, {})
        ]
        assert db.session.scalar(sa.select(Opening).where(Opening.id == person["opening_id"])) is not None
        assert db.session.scalar(sa.select(Tag).where(Tag.name == "quixwright-referral")) is None
    assert "Quixwright" not in client.get("/candidates/").text


def test_erasure_needs_the_typed_word(app, client, admin):
    with app.app_context():
        candidate = make_candidate(name="Keep Kim")
    response = client.post(f"/admin/candidates/{candidate.id}/erase", data={"confirm": "erase"})
    assert response.status_code == 400
    assert "Type ERASE in capitals to confirm; nothing was erased." in response.text
    with app.app_context():
        assert db.session.get(Candidate, candidate.id) is not None
        assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "person.erased")) is None


# Access requests --------------------------------------------------------------------


def test_admins_export_everything_held_on_a_person(app, client, admin):
    with app.app_context():
        person = make_person()
    response = client.get(f"/admin/candidates/{person['id']}/data.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="bench-candidate-{person["id"]}.json"'
    data = json.loads(response.text)
    assert data["candidate"]["name"] == NAME and data["candidate"]["phone_normalized"] == PHONE_NORMALISED
    assert data["tags"] == ["enterprise", "quixwright-referral"]
    assert {t["summary"] for t in data["touches"]} == {"Called Zebulon on 415-555-0187", "Quixwright prefers e-mail"}
    assert data["status_history"][0]["reason"] == "Zebulon replied"
    assert [m["to_stage"] for m in data["applications"][0]["stage_moves"]] == ["sourced", "interviews"]
    cards = [card for interview in data["interviews"] for card in interview["scorecards"]]
    assert sorted(r["score"] or 0 for card in cards for r in card["ratings"]) == [0, 3, 4, 4, 5]
    assert cards[0]["answers"] and cards[0]["revisions"][0]["reason"] == "Zebulon asked to fix a typo"
    assert len(data["hire"]["results"]) == 3 and data["hire"]["override_reason"] == "Zebulon's deals came late"
    assert data["self_identification"]["race_ethnicity"] == "asian"
    assert {d["kind"] for d in data["decisions"]} == {"forward", "hire"}
    assert data["model_score"]["score"] == 81 and data["model_score"]["reasons"]["up"][0]["trait"] == "drive"
    with app.app_context():
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "candidate.data_exported"))
        assert entry.target_id == str(person["id"]) and entry.details == {}


@pytest.mark.parametrize("role", [Role.MANAGER, Role.INTERVIEWER])
def test_only_admins_may_erase_or_export(app, client, role):
    sign_in_with_role(app, client, role)
    with app.app_context():
        candidate = make_candidate()
    for url in (f"/admin/candidates/{candidate.id}/data.json", f"/admin/candidates/{candidate.id}/erase"):
        assert client.get(url).status_code == 403
    assert client.post(f"/admin/candidates/{candidate.id}/erase", data={"confirm": "ERASE"}).status_code == 403
    with app.app_context():
        assert db.session.get(Candidate, candidate.id) is not None


def test_the_candidate_page_links_admins_to_export_and_erasure(app, client, admin):
    with app.app_context():
        candidate = make_candidate()
    page = client.get(f"/candidates/{candidate.id}").text
    assert "Export data (JSON)" in page and "Erase…" in page


def test_managers_see_no_erasure_links(app, client, manager):
    with app.app_context():
        candidate = make_candidate()
    page = client.get(f"/candidates/{candidate.id}").text
    assert "Export data (JSON)" not in page and "Erase…" not in page


def test_search_through_the_pool_list_no_longer_finds_an_anonymised_person(app, client, manager):
    with app.app_context():
        person = make_person()
        assert [c.id for c in db.session.scalars(pool_query({"q": "Quixwright"}))] == [person["id"]]
        retention.anonymise(db.session.get(Candidate, person["id"]), reason="request")
        db.session.commit()
    page = client.get("/candidates/?q=Quixwright").text
    assert f'/candidates/{person["id"]}"' not in page


def test_an_anonymised_record_says_so_on_its_page(app, client, manager):
    with app.app_context():
        person = make_person()
        retention.anonymise(db.session.get(Candidate, person["id"]), reason="consent_expired")
        db.session.commit()
    page = client.get(f"/candidates/{person['id']}").text
    assert f"Anonymised candidate {person['id']}" in page
    assert "identifying details and free text were removed" in page
