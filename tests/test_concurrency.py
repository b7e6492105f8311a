"""Racing requests: two tabs or two users doing the same thing at the same moment, on real connections.

Each request runs in its own thread with its own test client, app context, session and database
connection (from the app's pool), and the threads are released together by a barrier. On PostgreSQL
the requests really overlap; SQLite lets one write at a time, so there the race is decided by who
takes the write lock first. Either way the end state must be consistent and no request may fail.
"""

import re
import threading
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from hiring.training import wait_for_all_jobs
from models import (
    Application,
    AuditEntry,
    Candidate,
    Interview,
    JobStatus,
    ModelVersion,
    Rating,
    Role,
    Scorecard,
    ScorecardRevision,
    ScorecardStatus,
    StatusChange,
    Touch,
    TrainingJob,
    db,
)
from tests.factories import make_candidate, make_opening, make_scorecard, make_user, sign_in_as
from tests.fit_history import make_history
from tests.test_merge import add_application, add_history, add_interview, merge_url, submitted

# Long enough for a slow machine; a request stuck behind a lock for this long is a failure.
REQUEST_TIMEOUT = 120


def race(app, users, send: Callable) -> list:
    """Send ``send(client, index)`` for each user at once, one thread and signed-in client each; return responses.

    An exception in any request (an unhandled error would be a 500 page) fails the test.
    """
    clients = []
    for user in users:
        client = app.test_client()
        sign_in_as(client, user)
        clients.append(client)
    barrier = threading.Barrier(len(clients))
    responses: list = [None] * len(clients)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=REQUEST_TIMEOUT)
            responses[index] = send(clients[index], index)
        except BaseException as error:  # re-raised below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(index,), name=f"racer-{index}") for index in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(REQUEST_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    if errors:
        raise errors[0]
    assert all(response.status_code < 500 for response in responses), [r.status_code for r in responses]
    return responses


def count(model, *where) -> int:
    """Count the rows of ``model`` matching ``where``."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def flashed(response) -> str:
    """The page's text with HTML entities for quotes undone, to search for messages."""
    return response.text.replace("&#39;", "'").replace("&#34;", '"')


# --- Scorecards -------------------------------------------------------------------------------


@pytest.fixture
def draft(app):
    """A draft scorecard of an interviewer: (interviewer, scorecard id, trait ids of its template)."""
    with app.app_context():
        interviewer = make_user(Role.INTERVIEWER, name="Ivy Tabs")
        candidate = make_candidate(name="Ada Byron")
        card_id = make_scorecard(candidate.id, interviewer.id, {}, recommendation=None, submitted=False)
        template = db.session.get(Scorecard, card_id).template
        trait_ids = [item.trait_id for item in template.items]
        prompts = len(template.prompts)
    return interviewer, card_id, trait_ids, prompts


def scorecard_form(trait_ids: list[int], prompts: int, score: int, recommendation: str) -> dict:
    """What the scorecard page sends on "Submit scorecard", every trait rated ``score``."""
    data = {"action": "submit", "version": "1", "recommendation": recommendation}
    for trait_id in trait_ids:
        data[f"rating_{trait_id}"] = str(score)
        data[f"note_{trait_id}"] = f"rated {score}"
    for number in range(prompts):
        data[f"answer_{number}"] = f"tab rating {score}"
    return data


@pytest.mark.parametrize("tabs", [2, 4])
def test_submitting_one_scorecard_from_several_tabs_at_once_submits_it_once(app, draft, tabs):
    interviewer, card_id, trait_ids, prompts = draft
    forms = [scorecard_form(trait_ids, prompts, score=1 + tab, recommendation="yes") for tab in range(tabs)]

    responses = race(
        app, [interviewer] * tabs, lambda client, tab: client.post(f"/interviews/scorecards/{card_id}", data=forms[tab])
    )

    winners = [tab for tab, response in enumerate(responses) if response.status_code == 302]
    assert len(winners) == 1, [r.status_code for r in responses]
    for tab, response in enumerate(responses):
        if tab not in winners:  # told, on the form with their input kept, that it was submitted already
            assert response.status_code == 200
            assert "This scorecard was submitted already" in flashed(response)
            assert f'value="{1 + tab}"' in response.text
    with app.app_context():
        card = db.session.get(Scorecard, card_id)
        assert card.status == ScorecardStatus.SUBMITTED and card.revision == 0
        # One set of ratings, all from the tab that won: nothing mixed, nothing doubled.
        assert sorted(rating.trait_id for rating in card.ratings) == sorted(trait_ids)
        assert {(rating.score, rating.note) for rating in card.ratings} == {(1 + winners[0], f"rated {1 + winners[0]}")}
        assert set(card.answers.values()) == {f"tab rating {1 + winners[0]}"}
        assert count(Rating) == len(trait_ids)
        assert count(ScorecardRevision) == 0
        assert count(AuditEntry, AuditEntry.action == "scorecard.submitted") == 1


# --- Merging a duplicate pair -----------------------------------------------------------------


@pytest.fixture
def pair(app):
    """Two records of one person, each with history, an opening and an interview; and two managers."""
    with app.app_context():
        a = make_candidate(name="Mia Lopez", email="mia@globex.com", company="Globex")
        b = make_candidate(name="Mia López", email="mia.lopez@mail.example", company="Globex", title="AE")
        interviewer = make_user(Role.INTERVIEWER)
        add_history(a.id, touches=2, status_changes=1)
        add_history(b.id, touches=3, status_changes=2)
        add_application(a.id, make_opening().id, "screen")
        add_application(b.id, make_opening().id, "interview")
        add_interview(a.id, interviewer.id)
        add_interview(b.id, interviewer.id)
        managers = [make_user(Role.MANAGER, name="Max Manager"), make_user(Role.MANAGER, name="Mo Manager")]
    return a.id, b.id, managers


@pytest.mark.parametrize("opposite", [False, True], ids=["same-survivor", "opposite-survivors"])
def test_two_managers_merging_the_same_pair_at_once_merge_it_once(app, pair, opposite):
    a_id, b_id, managers = pair
    forms = []
    for manager in managers:  # both load the merge screen, then press "Merge" at the same moment
        client = app.test_client()
        sign_in_as(client, manager)
        forms.append(submitted(client.get(merge_url(a_id, b_id)).text))
    if opposite:  # the second manager keeps the other record
        forms[1]["survivor"] = str(b_id) if forms[0]["survivor"] == str(a_id) else str(a_id)

    responses = race(
        app,
        managers,
        lambda client, index: client.post(merge_url(a_id, b_id), data=forms[index], follow_redirects=True),
    )

    with app.app_context():
        remaining = db.session.scalars(sa.select(Candidate.id).where(Candidate.id.in_([a_id, b_id]))).all()
        assert len(remaining) == 1, "exactly one record is left, not both and not none"
        survivor_id = remaining[0]
        # Every child row moved once onto the survivor: none lost with the deleted record, none doubled.
        assert count(StatusChange) == 1 + 2 and count(StatusChange, StatusChange.candidate_id != survivor_id) == 0
        assert count(Application) == 2 and count(Application, Application.candidate_id != survivor_id) == 0
        assert count(Interview) == 2 and count(Interview, Interview.candidate_id != survivor_id) == 0
        assert count(Scorecard) == 2 and count(Scorecard, Scorecard.candidate_id != survivor_id) == 0
        assert count(Touch) == 5 and count(Touch, Touch.candidate_id != survivor_id) == 0
        assert count(AuditEntry, AuditEntry.action == "candidate.merged") == 1
    # One manager merged; the other is sent to the kept record and told it was merged already.
    assert {response.request.path for response in responses} == {f"/candidates/{survivor_id}"}
    pages = [flashed(response) for response in responses]
    assert sum("merged already, by someone else" in page for page in pages) == 1
    assert sum(re.search(r"Merged Mia L\S+ \(#\d+\) into", page) is not None for page in pages) == 1


# --- Training ---------------------------------------------------------------------------------


def test_two_managers_starting_training_at_once_get_one_job(app):
    with app.app_context():
        make_history(pool=6)
        managers = [make_user(Role.MANAGER, name="Max Manager"), make_user(Role.MANAGER, name="Mo Manager")]

    responses = race(app, managers, lambda client, index: client.post("/model/train", follow_redirects=True))

    locations = {response.request.path for response in responses}
    assert len(locations) == 1, "both are sent to the same job's progress page"
    told = [response for response in responses if "A training job is already running" in response.text]
    assert len(told) == 1, "the second to press Train is told a job is running"
    wait_for_all_jobs()
    with app.app_context():
        jobs = db.session.scalars(sa.select(TrainingJob)).all()
        assert len(jobs) == 1 and jobs[0].status == JobStatus.SUCCEEDED, [(j.status, j.message) for j in jobs]
        assert count(AuditEntry, AuditEntry.action == "model.training_started") == 1
        versions = db.session.scalars(sa.select(ModelVersion)).all()
        assert [(version.number, version.active) for version in versions] == [(1, True)]
    page = app.test_client()
    sign_in_as(page, managers[0])
    assert "Model version 1 trained and active" in page.get(locations.pop()).text


def model_version(number: int, active: bool) -> ModelVersion:
    """A model version row with placeholder contents (no file): enough for the constraints."""
    return ModelVersion(
        number=number,
        file_name=f"ranker-v{number}.skops",
        file_sha256="0" * 64,
        rule={},
        features=[],
        data={},
        libraries={},
        report={},
        active=active,
    )


@pytest.mark.parametrize(
    "rows",
    [
        lambda: [TrainingJob(status=JobStatus.RUNNING), TrainingJob(status=JobStatus.RUNNING)],
        lambda: [model_version(1, active=True), model_version(2, active=True)],
    ],
    ids=["two-running-jobs", "two-active-versions"],
)
def test_the_database_refuses_a_second_running_job_or_active_version(app, rows):
    """The constraints behind the races above hold for any writer, not only for the app's checks."""
    with app.app_context():
        db.session.add_all(rows())
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()
        # Finished jobs and inactive versions are not limited.
        db.session.add_all([TrainingJob(status=JobStatus.FAILED), TrainingJob(status=JobStatus.SUCCEEDED)])
        db.session.add_all([model_version(3, active=False), model_version(4, active=False)])
        db.session.commit()
