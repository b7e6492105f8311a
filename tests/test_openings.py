"""Openings: create and edit with stages, the board, moving and removing candidates; the pool stays."""

import re

import pytest

from models import Application, AuditEntry, Candidate, Opening, OpeningStatus, PoolStatus, Role, StageMove, db
from tests.factories import make_candidate, make_opening, make_user, sign_in_as

OPENING = {
    "title": "SMB Account Executive", "territory": "Austin", "segment": "smb", "headcount": "2", "status": "open",
    "stages": "sourced\nscreen\nrole-play\noffer\nhired\nrejected",
}  # fmt: skip


def test_create_opening_with_custom_stages(app, client, manager):
    response = client.post("/openings/new", data={**OPENING, "hiring_manager_id": str(manager.id)})
    assert response.status_code == 302
    with app.app_context():
        opening = db.session.scalars(db.select(Opening)).one()
        assert (opening.title, opening.headcount, opening.status, opening.hiring_manager_id) == (
            "SMB Account Executive", 2, OpeningStatus.OPEN, manager.id
        )  # fmt: skip
        assert opening.stages == ["sourced", "screen", "role-play", "offer", "hired", "rejected"]
    board = client.get(response.headers["Location"]).text
    assert "role-play" in board and "headcount 2" in board and "0 candidates" in board
    listing = client.get("/openings/?status=open").text
    assert "SMB Account Executive" in listing and "Max Manager" in listing


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"title": ""}, "This field is required."),
        ({"headcount": "0"}, "Number must be between 1 and 500."),
        ({"stages": "a\nb\na"}, "Each stage may appear only once."),
        ({"stages": "\n".join(f"s{i}" for i in range(16))}, "Use at most 15 stages."),
        ({"status": "paused"}, "Not a valid choice."),
    ],
)
def test_opening_validation(client, manager, changes, message):
    response = client.post("/openings/new", data={**OPENING, **changes})
    assert response.status_code == 200 and message in response.text


def test_board_moves_without_javascript_and_records_history(app, client, manager):
    with app.app_context():
        opening = make_opening(title="SMB AE")
        candidate = make_candidate(name="Ada Byron", company="Acme")
    client.post("/candidates/bulk", data={"ids": [candidate.id], "action": "opening", "opening": str(opening.id)})
    with app.app_context():
        application = db.session.scalars(db.select(Application)).one()
        assert application.stage == "sourced"
    response = client.post(f"/openings/applications/{application.id}/move", data={"stage": "interviews"})
    assert response.headers["Location"] == f"/openings/{opening.id}#stage-interviews"
    board = client.get(f"/openings/{opening.id}").text
    assert "Moved Ada Byron to interviews." in board
    interviews_column = board.split('id="stage-interviews"')[1].split("</section>")[0]
    assert "Ada Byron" in interviews_column
    bad = client.post(f"/openings/applications/{application.id}/move", data={"stage": "space"}, follow_redirects=True)
    assert "Choose one of the opening&#39;s stages." in bad.text
    page = client.get(f"/candidates/{candidate.id}").text
    assert "Considered for SMB AE (sourced)" in page and "SMB AE: sourced → interviews" in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(StageMove)) == 2


def test_reaching_hired_marks_the_candidate_hired_in_the_pool(app, client, manager):
    with app.app_context():
        opening = make_opening(title="SMB AE")
        candidate = make_candidate(name="Ada Byron")
        db.session.add(Application(candidate_id=candidate.id, opening_id=opening.id, stage="offer"))
        db.session.commit()
        application_id = db.session.scalar(db.select(Application.id))
    client.post(f"/openings/applications/{application_id}/move", data={"stage": "hired"})
    with app.app_context():
        assert db.session.get(Candidate, candidate.id).status == PoolStatus.HIRED


def test_closing_an_opening_or_removing_a_candidate_keeps_the_pool(app, client, manager):
    with app.app_context():
        opening = make_opening(title="SMB AE")
        candidate = make_candidate(name="Ada Byron")
        db.session.add(Application(candidate_id=candidate.id, opening_id=opening.id, stage="screen"))
        db.session.commit()
        application_id = db.session.scalar(db.select(Application.id))
    stages = "\n".join(["sourced", "screen", "interviews", "final", "offer", "hired", "rejected"])
    edit = {"title": "SMB AE", "headcount": "1", "status": "closed", "stages": stages, "version": "1"}
    assert client.post(f"/openings/{opening.id}/edit", data=edit).status_code == 302
    client.post(f"/openings/applications/{application_id}/remove")
    with app.app_context():
        assert db.session.get(Opening, opening.id).status == OpeningStatus.CLOSED
        assert db.session.get(Candidate, candidate.id) is not None
        assert db.session.scalar(db.select(db.func.count()).select_from(Application)) == 0
        assert "application.removed" in db.session.scalars(db.select(AuditEntry.action)).all()


def test_a_stage_in_use_cannot_be_removed_and_edits_conflict(app, client, manager):
    with app.app_context():
        opening = make_opening(title="SMB AE")
        candidate = make_candidate()
        db.session.add(Application(candidate_id=candidate.id, opening_id=opening.id, stage="screen"))
        db.session.commit()
    edit = {"title": "SMB AE", "headcount": "1", "status": "open", "stages": "sourced\nhired", "version": "1"}
    response = client.post(f"/openings/{opening.id}/edit", data=edit)
    assert "Candidates are still at screen; move them before removing it." in response.text
    ok = {**edit, "stages": "sourced\nscreen\nhired"}
    assert client.post(f"/openings/{opening.id}/edit", data=ok).status_code == 302
    stale = client.post(f"/openings/{opening.id}/edit", data={**ok, "title": "Renamed"})
    assert "Someone else saved this record" in stale.text.replace("&#39;", "'") and 'value="Renamed"' in stale.text


def test_an_edit_posted_without_the_stages_box_keeps_the_saved_stages(app, client, manager):
    with app.app_context():
        opening = make_opening(title="SMB AE")
        saved = list(opening.stages)
    edit = {"title": "SMB AE renamed", "headcount": "1", "status": "open", "version": "1"}
    assert client.post(f"/openings/{opening.id}/edit", data=edit).status_code == 302
    with app.app_context():
        opening = db.session.get(Opening, opening.id)
        assert (opening.title, opening.stages) == ("SMB AE renamed", saved)


def test_openings_list_filters_sorts_and_pages(app, client, manager):
    app.config["PAGE_SIZE"] = 2
    with app.app_context():
        make_opening(title="Zeta SDR", status=OpeningStatus.CLOSED, territory="Remote")
        make_opening(title="Alpha AE", status=OpeningStatus.OPEN, territory="Austin")
        make_opening(title="Beta AE", status=OpeningStatus.OPEN, territory="Berlin")

    def titles(query):
        return re.findall(r'<a href="/openings/\d+">([^<]+)</a>', client.get("/openings/" + query).text)

    assert titles("?sort=title") == ["Alpha AE", "Beta AE"]
    assert titles("?sort=title&page=2") == ["Zeta SDR"]
    assert titles("?sort=-created") == ["Beta AE", "Alpha AE"]
    assert titles("?status=closed") == ["Zeta SDR"]
    assert titles("?q=berl") == ["Beta AE"]
    assert "Not a valid choice." in client.get("/openings/?sort=budget").text


def test_interviewers_cannot_use_openings(app, client):
    with app.app_context():
        interviewer = make_user(Role.INTERVIEWER)
        opening = make_opening()
    sign_in_as(client, interviewer)
    assert client.get("/openings/").status_code == 403
    assert client.get(f"/openings/{opening.id}").status_code == 403


def test_openings_list_loads_hiring_managers_without_a_query_per_row(app, client, manager):
    from tests.test_pool import count_queries

    with app.app_context():
        make_opening(hiring_manager_id=make_user(Role.MANAGER).id)
    before = count_queries(app, client, "/openings/")
    with app.app_context():
        for _ in range(5):
            make_opening(hiring_manager_id=make_user(Role.MANAGER).id)
    assert count_queries(app, client, "/openings/") == before
