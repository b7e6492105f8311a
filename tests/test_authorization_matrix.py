"""The authorization matrix: every route x method x role, with the answer each role must get.

MATRIX is the table. Its answers are:

- OK: the view ran and answered (a page, a redirect elsewhere, a 400 for the empty form it was sent);
- LOGIN: a redirect to the sign-in page (pages, for anyone not signed in);
- 401: the API's answer without a valid token;
- 403: signed in, but the role (or, for a scorecard, the person) may not;
- 404: the record is hidden from this user (a scorecard of a candidate they do not interview).

The test builds one request per cell from the URL map, with real records in every URL, and
fails for a route missing from the table and for a table entry whose route is gone. Page
requests are signed in through the session; API requests carry the role's token. Object-level
checks (another's scorecard, an unshared shortlist, another's token ...) follow the matrix.
"""

import pytest

from hiring import create_app
from hiring.auth import SIGN_IN_FAILED
from hiring.training import wait_for_all_jobs
from models import ApiToken, SavedView, Scorecard, ScorecardStatus, User, db
from tests.api.helpers import bearer, make_token
from tests.authz_objects import (
    ADMIN,
    ANONYMOUS,
    DEACTIVATED,
    INTERVIEWER,
    MANAGER,
    OTHER_INTERVIEWER,
    ROLES,
    UNSHARED_COMMENT,
    UNSHARED_LIST,
    build_world,
    make_shortlist,
    routes,
    url_values,
)
from tests.conftest import base_config, empty_database
from tests.factories import PASSWORD

OK, LOGIN = "OK", "LOGIN"


def answers(anonymous, interviewer, interviewer_not_assigned, manager, admin, deactivated) -> dict[str, str | int]:
    """One row of the matrix: the answer of each role, in ROLES order."""
    return dict(
        zip(ROLES, (anonymous, interviewer, interviewer_not_assigned, manager, admin, deactivated), strict=True)
    )


#                          anonymous interviewer not-assigned manager admin deactivated
EVERYONE = answers(OK, OK, OK, OK, OK, OK)
SIGNED_IN = answers(LOGIN, OK, OK, OK, OK, LOGIN)
POOL = answers(LOGIN, 403, 403, OK, OK, LOGIN)  # managers and admins
ADMINS = answers(LOGIN, 403, 403, 403, OK, LOGIN)
OWN_SCORECARD = answers(LOGIN, OK, 403, 403, 403, LOGIN)  # the interviewer's own card, nobody else's
API_PUBLIC = answers(OK, OK, OK, OK, OK, OK)
API_SIGNED_IN = answers(401, OK, OK, OK, OK, 401)
API_POOL = answers(401, 403, 403, OK, OK, 401)
API_SCORECARDS = answers(401, OK, 404, OK, OK, 401)  # an interviewer learns nothing of others' candidates

MATRIX: dict[str, dict[str, dict[str, str | int]]] = {
    # Signing in and one's own account
    "/sign-in": {"GET": EVERYONE, "POST": EVERYONE},
    "/sign-out": {"POST": SIGNED_IN},
    "/invitation/<token>": {"GET": EVERYONE, "POST": EVERYONE},  # the link is the credential
    "/account/password": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "/account/tokens": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "/account/tokens/<int:token_id>/revoke": {"POST": SIGNED_IN},  # one's own; another's: see below
    "/": {"GET": SIGNED_IN},
    # Admin: users, audit, structured-interview set-up, privacy, fairness
    "/admin/users/": {"GET": ADMINS},
    "/admin/users/new": {"GET": ADMINS, "POST": ADMINS},
    "/admin/users/<int:user_id>": {"GET": ADMINS, "POST": ADMINS},
    "/admin/users/<int:user_id>/deactivate": {"POST": ADMINS},
    "/admin/users/<int:user_id>/reactivate": {"POST": ADMINS},
    "/admin/users/<int:user_id>/reset-password": {"POST": ADMINS},
    "/admin/audit/": {"GET": ADMINS},
    "/admin/traits/": {"GET": ADMINS},
    "/admin/traits/new": {"GET": ADMINS, "POST": ADMINS},
    "/admin/traits/<int:trait_id>": {"GET": ADMINS, "POST": ADMINS},
    "/admin/traits/<int:trait_id>/delete": {"POST": ADMINS},
    "/admin/traits/<int:trait_id>/retire": {"POST": ADMINS},
    "/admin/traits/<int:trait_id>/restore": {"POST": ADMINS},
    "/admin/templates/": {"GET": ADMINS},
    "/admin/templates/new": {"GET": ADMINS, "POST": ADMINS},
    "/admin/templates/<int:template_id>": {"GET": ADMINS, "POST": ADMINS},
    "/admin/tier-rule/": {"GET": POOL, "POST": ADMINS},
    "/admin/candidates/<int:candidate_id>/data.json": {"GET": ADMINS},
    "/admin/candidates/<int:candidate_id>/erase": {"GET": ADMINS, "POST": ADMINS},
    "/admin/self-identification/": {"GET": ADMINS},
    "/admin/self-identification/candidates/<int:candidate_id>": {"GET": ADMINS, "POST": ADMINS},
    "/admin/self-identification/candidates/<int:candidate_id>/remove": {"POST": ADMINS},
    "/admin/fairness/": {"GET": ADMINS},
    "/admin/fairness/report.<output>": {"GET": ADMINS},
    # The pool
    "/candidates/": {"GET": POOL},
    "/candidates/new": {"GET": POOL, "POST": POOL},
    "/candidates/<int:candidate_id>": {"GET": POOL},  # even the candidate's own interviewer: scorecards only
    "/candidates/<int:candidate_id>/edit": {"GET": POOL, "POST": POOL},
    "/candidates/<int:candidate_id>/status": {"POST": POOL},
    "/candidates/<int:candidate_id>/touches": {"POST": POOL},
    "/candidates/<int:candidate_id>/next-touch": {"POST": POOL},
    "/candidates/<int:candidate_id>/resume.json": {"GET": POOL},
    "/candidates/<int:candidate_id>/resumes": {"POST": POOL},
    "/candidates/<int:candidate_id>/resumes/<int:resume_id>": {"GET": POOL},
    "/candidates/<int:candidate_id>/resumes/<int:resume_id>/delete": {"GET": POOL, "POST": POOL},
    "/candidates/<int:candidate_id>/explanation": {"GET": POOL},
    "/candidates/<int:candidate_id>/merge/<int:other_id>": {"GET": POOL, "POST": POOL},
    "/candidates/bulk": {"POST": POOL},
    "/candidates/duplicates": {"GET": POOL},
    "/candidates/export.csv": {"GET": POOL},
    "/candidates/views": {"POST": POOL},
    "/candidates/views/<int:view_id>/delete": {"POST": POOL},  # one's own; another's: see below
    "/candidates/import": {"GET": POOL, "POST": POOL},
    "/candidates/import/review": {"GET": POOL, "POST": POOL},
    "/candidates/import/cancel": {"POST": POOL},
    "/candidates/import/example.csv": {"GET": POOL},
    "/compare": {"GET": POOL},
    "/consents": {"GET": POOL},
    "/consents/<int:candidate_id>/renew": {"POST": POOL},
    "/dashboard/idle-a-players": {"GET": POOL},
    "/decisions/": {"GET": POOL},
    "/exports/pool": {"GET": POOL},
    "/exports/pool/file": {"GET": POOL},
    # Openings, interviews, reps, the model
    "/openings/": {"GET": POOL},
    "/openings/new": {"GET": POOL, "POST": POOL},
    "/openings/<int:opening_id>": {"GET": POOL},
    "/openings/<int:opening_id>/edit": {"GET": POOL, "POST": POOL},
    "/openings/applications/<int:application_id>/move": {"POST": POOL},
    "/openings/applications/<int:application_id>/remove": {"POST": POOL},
    "/interviews/mine": {"GET": SIGNED_IN},
    "/interviews/plan/<int:candidate_id>": {"POST": POOL},
    "/interviews/<int:interview_id>/cancel": {"POST": POOL},
    "/interviews/scorecards/<int:scorecard_id>": {"GET": OWN_SCORECARD, "POST": OWN_SCORECARD},
    "/interviews/calibration": {"GET": POOL},
    "/reps/": {"GET": POOL},
    "/reps/hire/<int:candidate_id>": {"GET": POOL, "POST": POOL},
    "/reps/<int:hire_id>": {"GET": POOL, "POST": POOL},
    "/reps/<int:hire_id>/override": {"POST": POOL},
    "/reps/<int:hire_id>/results": {"POST": POOL},
    "/reps/<int:hire_id>/results/<period>/delete": {"POST": POOL},
    "/model/": {"GET": POOL},
    "/model/train": {"POST": POOL},
    "/model/jobs/<int:job_id>": {"GET": POOL},
    "/model/events": {"GET": ADMINS},
    "/model/versions/<int:number>": {"GET": POOL},
    "/model/versions/<int:number>/activate": {"POST": ADMINS},
    "/model/versions/<int:number>/card": {"GET": POOL},
    "/model/versions/<int:number>/card.md": {"GET": POOL},
    # Shortlists (MANAGER owns the matrix's list; sharing is checked below)
    "/shortlists/": {"GET": POOL},
    "/shortlists/new": {"GET": POOL, "POST": POOL},
    "/shortlists/add": {"POST": POOL},
    "/shortlists/<int:shortlist_id>": {"GET": POOL},
    "/shortlists/<int:shortlist_id>/edit": {"GET": POOL, "POST": POOL},
    "/shortlists/<int:shortlist_id>/delete": {"GET": POOL, "POST": POOL},
    "/shortlists/<int:shortlist_id>/entries/<int:entry_id>/comment": {"POST": POOL},
    "/shortlists/<int:shortlist_id>/entries/<int:entry_id>/move": {"POST": POOL},
    "/shortlists/<int:shortlist_id>/entries/<int:entry_id>/remove": {"POST": POOL},
    "/exports/shortlists/<int:shortlist_id>": {"GET": POOL},
    "/exports/shortlists/<int:shortlist_id>/file": {"GET": POOL},
    # The API: a token, never a session, says who calls
    "/api/v1/openapi.json": {"GET": API_PUBLIC},
    "/api/v1/me": {"GET": API_SIGNED_IN},
    "/api/v1/candidates": {"GET": API_POOL, "POST": API_POOL},
    "/api/v1/candidates/<int:candidate_id>": {"GET": API_POOL, "PATCH": API_POOL},
    "/api/v1/candidates/<int:candidate_id>/touches": {"POST": API_POOL},
    "/api/v1/candidates/<int:candidate_id>/scorecards": {"GET": API_SCORECARDS},
    "/api/v1/candidates/<int:candidate_id>/ranking": {"GET": API_POOL},
    "/api/v1/openings": {"GET": API_POOL},
    "/api/v1/openings/<int:opening_id>": {"GET": API_POOL},
    "/api/v1/openings/<int:opening_id>/ranking": {"GET": API_POOL},
    "/api/v1/shortlists": {"GET": API_POOL},
    "/api/v1/shortlists/<int:shortlist_id>": {"GET": API_POOL},
    "/api/v1/shortlists/<int:shortlist_id>/export": {"GET": API_POOL},
}

# What a role must find on no page it may open: interviewers, candidates (and the rep) they do not
# interview and a colleague whose card is in (before their own is); MANAGER, another's unshared list.
UNSEEN = {
    INTERVIEWER: ("Other Candidate", "Matrix Rep", "Matrix target"),
    OTHER_INTERVIEWER: ("Matrix Candidate", "Matrix Rep"),
    MANAGER: (UNSHARED_LIST, UNSHARED_COMMENT),
}

MATRIX_CONFIG = {
    "API_RATE_LIMIT": "10000 per minute",  # the matrix sends many requests per token on purpose
    "PROPAGATE_EXCEPTIONS": False,  # a crash is a 500 in the matrix's report, not the end of the run
}


def answer_of(response) -> str | int:
    """Classify a response as one of the matrix's answers (other statuses stay numbers, e.g. 500)."""
    status = response.status_code
    if status in (301, 302, 303) and response.headers.get("Location", "").startswith("/sign-in?next="):
        return LOGIN
    if status in (401, 403, 404) or status >= 500:
        return status
    return OK


@pytest.fixture(scope="module")
def database(migrated_database, tmp_path_factory):
    """One migrated database for the whole module (the matrix's records are built once)."""
    with empty_database(migrated_database, tmp_path_factory.mktemp("matrix")) as settings:
        yield settings


@pytest.fixture(scope="module")
def matrix(database, tmp_path_factory):
    """The app and the matrix's records (users of every role, one of every object), built once."""
    app = create_app(base_config(**database, **MATRIX_CONFIG))
    app.instance_path = str(tmp_path_factory.mktemp("matrix-instance"))
    with app.test_request_context():  # the invitation link is built with url_for
        world = build_world()
    yield app, world
    wait_for_all_jobs()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def client_as(app, world, role: str, api: bool):
    """A client for ``role``: signed in through its session cookie (pages), or with no cookie (API)."""
    client = app.test_client()
    if role != ANONYMOUS and not api:
        with client.session_transaction() as session:
            session["_user_id"] = world.session_ids[role]
            session["_fresh"] = True
    return client


def request_as(app, world, role: str, rule, method: str, token: str | None = None, **values):
    """Send ``method`` to ``rule`` as ``role`` (API: with the role's token, or ``token``); return the response."""
    api = rule.rule.startswith("/api/")
    user = world.users.get(role)
    with app.app_context():
        arguments = url_values(world, rule.endpoint, method, rule.arguments, user) | values
        with app.test_request_context():
            url = app.url_for(rule.endpoint, **arguments)
    headers = {}
    if api and role != ANONYMOUS:
        headers = bearer(token or world.tokens[role])
    body = {"json": {}} if api and method != "GET" else {}
    response = client_as(app, world, role, api).open(url, method=method, headers=headers, **body)
    response.get_data()  # read streamed responses (the CSV export) to the end, then close them
    response.close()
    return response


def test_the_matrix_lists_every_route_and_method_and_nothing_else(matrix):
    app, _ = matrix
    in_app = {(rule.rule, method) for rule, method in routes(app)}
    in_table = {(path, method) for path, methods in MATRIX.items() for method in methods}
    assert sorted(in_app - in_table) == [], "routes missing from MATRIX: add them with each role's answer"
    assert sorted(in_table - in_app) == [], "MATRIX entries whose route is gone: remove them"
    assert all(set(row) == set(ROLES) for methods in MATRIX.values() for row in methods.values())


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_the_matrix_says(matrix, role):
    app, world = matrix
    wrong = []
    for rule, method in routes(app):
        expected = MATRIX.get(rule.rule, {}).get(method, {}).get(role)
        if expected is None:
            continue  # reported by the test above
        response = request_as(app, world, role, rule, method)
        got = answer_of(response)
        if got != expected:
            wrong.append(f"{method} {rule.rule}: expected {expected}, got {got}")
        seen = [name for name in UNSEEN.get(role, ()) if name in response.text]
        if got == OK and seen:
            wrong.append(f"{method} {rule.rule}: shows {seen}")
    assert wrong == [], f"as {role}:\n" + "\n".join(wrong)


# Object level ----------------------------------------------------------------------------------


def rule_of(app, endpoint: str):
    """The URL rule of an endpoint."""
    return next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)


def test_an_interviewer_can_neither_read_nor_submit_another_interviewers_scorecard(matrix):
    app, world = matrix
    scorecard = rule_of(app, "interviews.scorecard")
    others = world.ids["others_scorecard_id"]
    with app.app_context():
        form = {"version": db.session.get(Scorecard, others).version, "recommendation": "strong_yes"}
    for role in (INTERVIEWER, OTHER_INTERVIEWER):
        assert request_as(app, world, role, scorecard, "GET", scorecard_id=others).status_code == 403
        client = client_as(app, world, role, api=False)
        assert client.post(f"/interviews/scorecards/{others}", data=form).status_code == 403
        assert client.get(f"/interviews/scorecards/{others}?edit=1").status_code == 403
    with app.app_context():
        card = db.session.get(Scorecard, others)
        assert card.status == ScorecardStatus.DRAFT and card.recommendation is None


def test_an_interviewer_reaches_no_candidate_by_id_assigned_or_not(matrix):
    app, world = matrix
    for candidate in ("candidate_id", "other_candidate_id"):
        for role in (INTERVIEWER, OTHER_INTERVIEWER):
            client = client_as(app, world, role, api=False)
            candidate_id = world.ids[candidate]
            assert client.get(f"/candidates/{candidate_id}").status_code == 403
            assert client.get(f"/compare?ids={candidate_id}&ids={world.ids['other_id']}").status_code == 403
            api = app.test_client().get(f"/api/v1/candidates/{candidate_id}", headers=bearer(world.tokens[role]))
            assert api.status_code == 403
    # The scorecards API: one's own candidate answers (withheld until one's own card is in), another's is hidden.
    scorecards = rule_of(app, "api.scorecards")
    own = request_as(app, world, OTHER_INTERVIEWER, scorecards, "GET", candidate_id=world.ids["other_candidate_id"])
    assert own.status_code == 200 and own.json["withheld"] is True and own.json["items"] == []
    candidate_id = world.ids["candidate_id"]
    hidden = request_as(app, world, OTHER_INTERVIEWER, scorecards, "GET", candidate_id=candidate_id)
    unknown = request_as(app, world, OTHER_INTERVIEWER, scorecards, "GET", candidate_id=candidate_id + 10**6)
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json == unknown.json  # not even whether the candidate exists


SHORTLIST_ENDPOINTS = [
    ("shortlists.detail", "GET"),
    ("shortlists.edit", "GET"),
    ("shortlists.edit", "POST"),
    ("shortlists.delete", "GET"),
    ("shortlists.delete", "POST"),
    ("shortlists.comment", "POST"),
    ("shortlists.move", "POST"),
    ("shortlists.remove", "POST"),
    ("exports.shortlist", "GET"),
    ("exports.shortlist_file", "GET"),
    ("api.shortlist", "GET"),
    ("api.shortlist_export", "GET"),
]
# Who may do what with a list: the owner and admins everything; a manager it is shared with the
# entries (not renaming, sharing or deleting it); any other manager finds no such list.
SHORTLIST_ANSWERS = {
    "owner": {endpoint: OK for endpoint in SHORTLIST_ENDPOINTS},
    ADMIN: {endpoint: OK for endpoint in SHORTLIST_ENDPOINTS},
    "shared_manager": {
        endpoint: 403 if endpoint[0] in ("shortlists.edit", "shortlists.delete") else OK
        for endpoint in SHORTLIST_ENDPOINTS
    },
    "unshared_manager": {endpoint: 404 for endpoint in SHORTLIST_ENDPOINTS},
}


@pytest.mark.parametrize("who", list(SHORTLIST_ANSWERS))
def test_a_shortlist_answers_its_owner_sharers_and_others_by_the_sharing_rule(matrix, who):
    app, world = matrix
    role = {"owner": MANAGER, "unshared_manager": "other_manager"}.get(who, who)
    wrong = []
    for endpoint, method in SHORTLIST_ENDPOINTS:
        rule = rule_of(app, endpoint)
        with app.app_context():  # a list of its own for each request: some of them delete it
            users = world.users
            shortlist = make_shortlist(users[MANAGER].id, [world.ids["candidate_id"]], [users["shared_manager"].id])
            values = {"shortlist_id": shortlist.id, "entry_id": shortlist.entries[0].id}
        values = {name: value for name, value in values.items() if name in rule.arguments}
        got = answer_of(request_as(app, world, role, rule, method, **values))
        if got != SHORTLIST_ANSWERS[who][(endpoint, method)]:
            wrong.append(f"{method} {endpoint}: expected {SHORTLIST_ANSWERS[who][(endpoint, method)]}, got {got}")
    assert wrong == [], f"as {who}:\n" + "\n".join(wrong)


def test_an_entry_of_another_list_cannot_be_changed_through_ones_own(matrix):
    app, world = matrix
    client = client_as(app, world, MANAGER, api=False)
    own, foreign = world.ids["shortlist_id"], world.ids["unshared_entry_id"]
    for action in ("comment", "move", "remove"):
        response = client.post(f"/shortlists/{own}/entries/{foreign}/{action}", data={"comment": "x", "to": "up"})
        assert response.status_code == 404, action
    assert (
        client.post(
            "/shortlists/add", data={"shortlist_id": world.ids["unshared_shortlist_id"], "ids": "1"}
        ).status_code
        == 404
    )


def test_another_users_api_token_and_saved_view_cannot_be_touched(matrix):
    app, world = matrix
    with app.app_context():
        target = world.users["target"]
        # A token of its own: the matrix's admin requests may have deactivated the target, revoking older ones.
        make_token(target, name="Theirs")
        token_id = db.session.scalar(db.select(db.func.max(ApiToken.id)).where(ApiToken.user_id == target.id))
        view = SavedView(user_id=target.id, name="Theirs", query="")
        db.session.add(view)
        db.session.commit()
        view_id = view.id
    for role in (INTERVIEWER, MANAGER, ADMIN):
        client = client_as(app, world, role, api=False)
        assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 404
        assert "Matrix target" not in client.get("/account/tokens").text
        if role != INTERVIEWER:
            assert client.post(f"/candidates/views/{view_id}/delete").status_code == 404
    with app.app_context():
        assert db.session.get(ApiToken, token_id).active
        assert db.session.get(SavedView, view_id) is not None


def test_a_resume_is_reached_only_through_its_own_candidate(matrix):
    app, world = matrix
    client = client_as(app, world, MANAGER, api=False)
    resume, other = world.ids["resume_id"], world.ids["other_id"]
    assert client.get(f"/candidates/{world.ids['candidate_id']}/resumes/{resume}").status_code == 200
    assert client.get(f"/candidates/{other}/resumes/{resume}").status_code == 404
    assert client.post(f"/candidates/{other}/resumes/{resume}/delete").status_code == 404


def test_read_only_tokens_read_as_the_matrix_says_but_never_write(matrix):
    app, world = matrix
    checked = 0
    for rule, method in routes(app):
        if not rule.rule.startswith("/api/") or rule.endpoint == "api.openapi_json":
            continue
        for role in (INTERVIEWER, OTHER_INTERVIEWER, MANAGER, ADMIN, DEACTIVATED):
            response = request_as(app, world, role, rule, method, token=world.read_only_tokens[role])
            expected = MATRIX[rule.rule][method][role]
            label = f"{method} {rule.rule} as {role} with a read-only token"
            if method == "GET" or expected == 401:
                assert answer_of(response) == expected, label
            else:  # refused before the role is even looked at
                assert response.status_code == 403, label
                assert response.json["error"]["message"] == "This token is read-only.", label
            checked += 1
    assert checked >= 60


def test_the_api_ignores_a_signed_in_session(matrix):
    app, world = matrix
    for rule, method in routes(app):
        if not rule.rule.startswith("/api/") or rule.endpoint == "api.openapi_json":
            continue
        client = client_as(app, world, MANAGER, api=False)
        with app.app_context(), app.test_request_context():
            url = app.url_for(rule.endpoint, **{name: world.ids[name] for name in rule.arguments})
        assert client.open(url, method=method, json={}).status_code == 401, f"{method} {rule.rule}"


def test_a_deactivated_user_cannot_sign_in_again(matrix):
    app, world = matrix
    client = app.test_client()
    email = world.users[DEACTIVATED].email
    response = client.post("/sign-in", data={"email": email, "password": PASSWORD})
    assert response.status_code == 200
    assert SIGN_IN_FAILED in response.text
    assert answer_of(client.get("/")) == LOGIN
    with app.app_context():
        assert db.session.get(User, world.users[DEACTIVATED].id).active is False
