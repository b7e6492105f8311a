"""Human decision records: one per person's act, with the model's advice at that moment; the review page."""

from datetime import UTC, datetime

import pytest

from hiring.merge import merge_candidates
from hiring.ranking import rank_candidates
from models import (
    Application,
    AuditEntry,
    Candidate,
    CandidateScore,
    Certainty,
    Decision,
    DecisionKind,
    ModelVersion,
    PoolStatus,
    Role,
    StageMove,
    StatusChange,
    Tier,
    db,
    utcnow,
)
from tests.factories import make_candidate, make_opening, make_user, sign_in_as
from tests.fit_history import make_history


def add_score(candidate_id: int, tier: Tier, p_a: float = 0.5, number: int = 3) -> None:
    """Give a candidate a fit score of a (dummy) model version, as ranking would."""
    version = db.session.scalar(db.select(ModelVersion).where(ModelVersion.number == number))
    if version is None:
        version = ModelVersion(number=number, file_name="x.skops", file_sha256="0" * 64, rule={}, features=[],
                               data={}, libraries={}, report={})  # fmt: skip
        db.session.add(version)
        db.session.flush()
    db.session.add(
        CandidateScore(candidate_id=candidate_id, model_version_id=version.id, p_a=p_a, p_b=0.2, p_c=0.8 - p_a,
                       score=100 * p_a + 10, predicted_tier=tier, certainty=Certainty.LOW, reasons={}, interviews=1)
    )  # fmt: skip
    db.session.commit()


def decisions() -> list[Decision]:
    """Every decision, oldest first."""
    return db.session.scalars(db.select(Decision).order_by(Decision.id)).all()


def count(model) -> int:
    """Rows of a table."""
    return db.session.scalar(db.select(db.func.count()).select_from(model))


@pytest.mark.parametrize(
    "before, after, kind",
    [
        (PoolStatus.PROSPECT, PoolStatus.ENGAGED, DecisionKind.FORWARD),
        (PoolStatus.ENGAGED, PoolStatus.OFFER, DecisionKind.FORWARD),
        (PoolStatus.INTERVIEWING, PoolStatus.REJECTED, DecisionKind.REJECT),
        (PoolStatus.OFFER, PoolStatus.HIRED, DecisionKind.HIRE),
        (PoolStatus.OFFER, PoolStatus.ENGAGED, None),  # a step back
        (PoolStatus.ENGAGED, PoolStatus.NOT_NOW, None),  # a pause
        (PoolStatus.INTERVIEWING, PoolStatus.DECLINED, None),  # the candidate's call
        (PoolStatus.NOT_NOW, PoolStatus.ENGAGED, None),  # back from a pause, not a selection
    ],
)
def test_a_status_change_records_the_persons_decision(app, client, manager, before, after, kind):
    with app.app_context():
        candidate = make_candidate(status=before)
    response = client.post(f"/candidates/{candidate.id}/status", data={"status": after.value, "reason": "Clear call"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Candidate, candidate.id).status == after
        rows = decisions()
        if kind is None:
            assert rows == []
            return
        (decision,) = rows
        assert (decision.kind, decision.candidate_id, decision.decided_by_id, decision.reason) == (
            kind, candidate.id, manager.id, "Clear call"
        )  # fmt: skip
        assert (decision.from_state, decision.to_state, decision.opening_id) == (before.label, after.label, None)
        assert decision.model_tier is None and decision.model_p_a is None and decision.model_version_number is None
        assert decision.against_model is False
        entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "decision.recorded")).one()
        assert entry.details == {"candidate_id": candidate.id, "kind": kind.value}  # ids and kind, never the reason


@pytest.mark.parametrize(
    "tier, status, against",
    [
        (Tier.C, PoolStatus.INTERVIEWING, True),  # forward a predicted C
        (Tier.C, PoolStatus.HIRED, True),
        (Tier.A, PoolStatus.REJECTED, True),  # reject a predicted A
        (Tier.A, PoolStatus.INTERVIEWING, False),
        (Tier.B, PoolStatus.REJECTED, False),
        (Tier.C, PoolStatus.REJECTED, False),
    ],
)
def test_the_model_score_seen_is_kept_and_going_against_it_is_flagged(app, client, manager, tier, status, against):
    with app.app_context():
        candidate = make_candidate(status=PoolStatus.ENGAGED)
        add_score(candidate.id, tier, p_a=0.3, number=4)
    client.post(f"/candidates/{candidate.id}/status", data={"status": status.value, "reason": "My call"})
    with app.app_context():
        (decision,) = decisions()
        assert (decision.model_version_number, decision.model_tier, decision.against_model) == (4, tier, against)
        assert decision.model_p_a == pytest.approx(0.3) and decision.model_score == pytest.approx(40)


def put_in_opening(candidate: Candidate, stage: str, **opening) -> tuple[int, int]:
    """Consider the candidate for a new opening at ``stage``; return (opening id, application id)."""
    opening = make_opening(**opening)
    application = Application(candidate_id=candidate.id, opening_id=opening.id, stage=stage)
    db.session.add(application)
    db.session.commit()
    return opening.id, application.id


def test_board_moves_record_forward_reject_and_hire_but_not_moving_back(app, client, manager):
    with app.app_context():
        ada = make_candidate(name="Ada Byron", status=PoolStatus.INTERVIEWING)
        add_score(ada.id, Tier.C)
        opening_id, application_id = put_in_opening(ada, "screen", title="SMB AE")
        bob = make_candidate(name="Bob Stone", status=PoolStatus.OFFER)
        _, bob_application = put_in_opening(bob, "offer", title="Enterprise AE")
    url = f"/openings/applications/{application_id}/move"
    assert client.post(url, data={"stage": "interviews", "reason": "Great screen"}).status_code == 302
    assert client.post(url, data={"stage": "screen"}).status_code == 302  # back: no decision
    assert client.post(url, data={"stage": "rejected", "reason": "Weak role-play"}).status_code == 302
    client.post(f"/openings/applications/{bob_application}/move", data={"stage": "hired", "reason": "Best of all"})
    with app.app_context():
        forward, reject, hire = decisions()
        assert (forward.kind, forward.opening_id, forward.from_state, forward.to_state, forward.reason) == (
            DecisionKind.FORWARD, opening_id, "screen", "interviews", "Great screen"
        )  # fmt: skip
        assert forward.model_tier == Tier.C and forward.against_model
        assert (reject.kind, reject.from_state, reject.to_state, reject.reason) == (
            DecisionKind.REJECT, "screen", "rejected", "Weak role-play"
        )  # fmt: skip
        assert reject.against_model is False  # rejecting a predicted C agrees with the model
        assert (hire.kind, hire.candidate_id, hire.to_state, hire.reason) == (
            DecisionKind.HIRE, bob.id, "hired", "Best of all"
        )  # fmt: skip
        # The hire also made Bob hired in the pool, without a second decision.
        assert db.session.get(Candidate, bob.id).status == PoolStatus.HIRED
        change = db.session.scalars(db.select(StatusChange).where(StatusChange.candidate_id == bob.id)).one()
        assert change.reason == "Hired for Enterprise AE: Best of all"
        assert count(StageMove) == 4


def test_rejecting_on_the_board_needs_a_reason_and_keeps_the_input(app, client, manager):
    with app.app_context():
        ada = make_candidate(name="Ada Byron")
        opening_id, application_id = put_in_opening(ada, "final", title="SMB AE")
    url = f"/openings/applications/{application_id}/move"
    response = client.post(url, data={"stage": "rejected", "reason": "   "})
    assert response.status_code == 400
    assert "Ada Byron was not moved. Give a reason for rejecting" in response.text
    card = response.text.split(f'id="move-{application_id}"')[1].split("</form>")[0]
    assert '<option value="rejected" selected>' in card and 'aria-invalid="true"' in card
    # A refused move with a typed reason keeps it, so nothing typed is lost.
    response = client.post(url, data={"stage": "nowhere", "reason": "Not a fit for <SMB>"})
    assert response.status_code == 400 and "Choose one of the opening&#39;s stages." in response.text
    card = response.text.split(f'id="move-{application_id}"')[1].split("</form>")[0]
    assert 'value="Not a fit for &lt;SMB&gt;"' in card
    with app.app_context():
        assert db.session.get(Application, application_id).stage == "final"
        assert count(StageMove) == 0 and count(Decision) == 0
    board = client.get(f"/openings/{opening_id}").text
    assert 'placeholder="Reason (needed to reject)"' in board and "Give a reason" not in board


def test_recording_a_hire_keeps_the_score_seen_before_it_is_removed(app, client, manager):
    with app.app_context():
        ada = make_candidate(name="Ada Byron", status=PoolStatus.OFFER)
        add_score(ada.id, Tier.C, p_a=0.1)
    today = utcnow().date().isoformat()
    response = client.post(f"/reps/hire/{ada.id}", data={"hired_on": today, "reason": "Closed the role-play"})
    assert response.status_code == 302
    with app.app_context():
        (decision,) = decisions()
        assert (decision.kind, decision.reason, decision.model_tier, decision.against_model) == (
            DecisionKind.HIRE, "Closed the role-play", Tier.C, True
        )  # fmt: skip
        assert db.session.get(CandidateScore, ada.id) is None  # a rep is judged by results
        assert db.session.get(Candidate, ada.id).status == PoolStatus.HIRED


def test_a_hire_on_the_board_then_recorded_as_a_rep_is_one_decision(app, client, manager):
    with app.app_context():
        ada = make_candidate(name="Ada Byron", status=PoolStatus.OFFER)
        _, application_id = put_in_opening(ada, "offer")
    client.post(f"/openings/applications/{application_id}/move", data={"stage": "hired"})
    client.post(f"/reps/hire/{ada.id}", data={"hired_on": utcnow().date().isoformat()})
    with app.app_context():
        assert [d.kind for d in decisions()] == [DecisionKind.HIRE]
        assert decisions()[0].reason == ""


def test_the_model_takes_no_action_training_and_ranking_decide_nothing(app, runner):
    with app.app_context():
        history = make_history(pool=6)
        statuses = dict(db.session.execute(db.select(Candidate.id, Candidate.status)).all())
        before = (count(StatusChange), count(StageMove))
    result = runner.invoke(args=["train"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert rank_candidates() == len(history["pool"])
        db.session.commit()
        assert count(CandidateScore) == len(history["pool"])
        assert count(Decision) == 0 and (count(StatusChange), count(StageMove)) == before
        assert dict(db.session.execute(db.select(Candidate.id, Candidate.status)).all()) == statuses


def test_merging_moves_the_decisions_to_the_survivor(app):
    with app.app_context():
        user = make_user(Role.MANAGER)
        survivor, other = make_candidate(name="Mia Lopez"), make_candidate(name="Mia López")
        db.session.add(Decision(candidate_id=other.id, kind=DecisionKind.REJECT, reason="Too junior",
                                decided_by_id=user.id))  # fmt: skip
        db.session.commit()
        merge_candidates(db.session.get(Candidate, survivor.id), db.session.get(Candidate, other.id), {})
        db.session.commit()
        (decision,) = decisions()
        assert decision.candidate_id == survivor.id and decision.reason == "Too junior"


def add_decision(candidate_id: int, kind: DecisionKind, by_id: int, at: datetime, **values) -> None:
    """Store a decision directly."""
    db.session.add(Decision(candidate_id=candidate_id, kind=kind, decided_by_id=by_id, decided_at=at, **values))
    db.session.commit()


@pytest.fixture
def recorded(app):
    """Four decisions by two people, two of them against the model."""
    with app.app_context():
        dana = make_user(Role.MANAGER, name="Dana Decider")
        eli = make_user(Role.ADMIN, name="Eli Admin")
        opening = make_opening(title="SMB AE")
        ada, bob, cy = (
            make_candidate(name="Ada Byron"),
            make_candidate(name="Bob Stone"),
            make_candidate(name="Cy Pool"),
        )
        seen_c = {"model_version_number": 2, "model_tier": Tier.C, "model_p_a": 0.05, "model_score": 20.0}
        seen_a = {"model_version_number": 2, "model_tier": Tier.A, "model_p_a": 0.81, "model_score": 85.0}
        add_decision(ada.id, DecisionKind.FORWARD, dana.id, datetime(2025, 3, 1, 9, tzinfo=UTC),
                     opening_id=opening.id, from_state="screen", to_state="interviews", reason="Sharp questions",
                     against_model=True, **seen_c)  # fmt: skip
        add_decision(bob.id, DecisionKind.REJECT, eli.id, datetime(2025, 4, 1, 9, tzinfo=UTC),
                     reason="No quota history", against_model=True, **seen_a)  # fmt: skip
        add_decision(cy.id, DecisionKind.HIRE, dana.id, datetime(2025, 5, 1, 9, tzinfo=UTC), reason="Agreed")
        add_decision(ada.id, DecisionKind.REJECT, dana.id, datetime(2025, 6, 1, 9, tzinfo=UTC), reason="Withdrew")
        return {"dana": dana.id, "eli": eli.id, "opening": opening.id, "ada": ada.id}


def names_in(page: str) -> list[str]:
    """The candidate names in the table rows, in order."""
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    return [name for chunk in body.split("<tr>")[1:] for name in ("Ada Byron", "Bob Stone", "Cy Pool") if name in chunk]


def test_the_decisions_page_lists_those_against_the_model_by_default(client, manager, recorded):
    page = client.get("/decisions/")
    assert page.status_code == 200
    assert names_in(page.text) == ["Bob Stone", "Ada Byron"]  # newest first
    assert page.text.count("Against the model</span>") == 2
    assert "Sharp questions" in page.text and "Dana Decider" in page.text and "Eli Admin" in page.text
    assert "screen → interviews" in page.text and "SMB AE" in page.text
    assert "C-player" in page.text and "P(A) 5 %" in page.text and "version 2" in page.text
    assert "A-player" in page.text and "P(A) 81 %" in page.text
    everything = client.get("/decisions/?show=all").text
    assert names_in(everything) == ["Ada Byron", "Cy Pool", "Bob Stone", "Ada Byron"]
    assert "Not scored" in everything


@pytest.mark.parametrize(
    "query, expected",
    [
        ("show=all&kind=reject", ["Ada Byron", "Bob Stone"]),
        ("show=all&decided_by={eli}", ["Bob Stone"]),
        ("show=all&opening={opening}", ["Ada Byron"]),
        ("show=all&since=2025-04-01&until=2025-05-01", ["Cy Pool", "Bob Stone"]),
        ("show=all&sort=oldest", ["Ada Byron", "Bob Stone", "Cy Pool", "Ada Byron"]),
        ("show=all&sort=candidate", ["Ada Byron", "Ada Byron", "Bob Stone", "Cy Pool"]),
        ("kind=forward", ["Ada Byron"]),
    ],
)
def test_the_decisions_page_filters_and_sorts(client, manager, recorded, query, expected):
    page = client.get("/decisions/?" + query.format(eli=recorded["eli"], opening=recorded["opening"]))
    assert page.status_code == 200 and names_in(page.text) == expected


def test_the_decisions_page_pages_and_refuses_bad_filters(app, client, manager, recorded):
    app.config["PAGE_SIZE"] = 3
    first = client.get("/decisions/?show=all").text
    assert "Showing 1–3 of 4 decisions." in first and len(names_in(first)) == 3
    second = client.get("/decisions/?show=all&page=2").text
    assert names_in(second) == ["Ada Byron"]
    bad = client.get("/decisions/?since=2025-05-01&until=2025-04-01&decided_by=999")
    assert bad.status_code == 400 and "The end date is before the start date." in bad.text
    assert "Not a valid choice" in bad.text


@pytest.mark.parametrize("role, status", [(Role.INTERVIEWER, 403), (Role.ADMIN, 200), (Role.MANAGER, 200)])
def test_only_managers_and_admins_see_decisions(app, client, role, status):
    with app.app_context():
        user = make_user(role)
    sign_in_as(client, user)
    assert client.get("/decisions/").status_code == status


def test_anonymous_users_are_sent_to_sign_in(client):
    assert client.get("/decisions/").status_code == 302


def test_decisions_appear_in_the_candidate_timeline(app, client, manager):
    with app.app_context():
        ada = make_candidate(name="Ada Byron", status=PoolStatus.INTERVIEWING)
        add_score(ada.id, Tier.A)
    client.post(f"/candidates/{ada.id}/status", data={"status": "rejected", "reason": "No references"})
    page = client.get(f"/candidates/{ada.id}").text
    assert "Decision: Rejected (model: A-player, against it)" in page
    assert "Status: Interviewing → Rejected" in page
