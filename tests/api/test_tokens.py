"""Personal API tokens on the user's own page: created (shown once, stored hashed), used, revoked, audited."""

import re

import pytest

from hiring.access import signed_in
from hiring.account import NAME_TAKEN
from hiring.api import token_hash
from models import ApiToken, AuditEntry, Role, db
from tests.api.helpers import bearer, make_token
from tests.dump import dump_database_text
from tests.factories import make_user, sign_in_as

NEW_TOKEN = re.compile(r'id="new-token" type="text" value="(bench_[A-Za-z0-9_-]+)" readonly')


def create(client, name="HR sync", read_only=False):
    """Submit the new-token form; return the response and the token it shows (or None)."""
    data = {"name": name, **({"read_only": "y"} if read_only else {})}
    response = client.post("/account/tokens", data=data)
    found = NEW_TOKEN.search(response.text)
    return response, found.group(1) if found else None


def tokens_of(app, user) -> list[ApiToken]:
    """The user's token rows, oldest first."""
    with app.app_context():
        return db.session.scalars(db.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)).all()


def audit(app, action: str) -> list[AuditEntry]:
    """The audit entries of one action, oldest first."""
    with app.app_context():
        query = db.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        return db.session.scalars(query).all()


def test_the_page_needs_a_signed_in_user(client):
    response = client.get("/account/tokens")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")
    assert client.post("/account/tokens", data={"name": "x"}).headers["Location"].startswith("/sign-in?next=")


def test_the_user_menu_links_to_the_page(client, manager):
    response = client.get("/account/tokens")
    assert response.status_code == 200
    assert 'href="/account/tokens">API tokens</a>' in response.text
    assert "You have no API tokens yet." in response.text
    assert 'name="name"' in response.text and 'name="read_only"' in response.text


def test_a_new_token_is_shown_once_and_stored_only_as_its_hash(app, client, manager):
    response, token = create(client, "HR sync")
    assert response.status_code == 201
    assert token is not None and token.startswith("bench_")
    assert "copy it now; Bench keeps only its hash" in response.text
    assert response.headers["Cache-Control"] == "no-store"
    # Never in the session cookie (nor a flash kept there) ...
    with client.session_transaction() as session:
        assert token not in repr(dict(session))
    # ... never again on the page, which lists it by name and prefix ...
    again = client.get("/account/tokens")
    assert token not in again.text
    assert "HR sync" in again.text and f"{token[:12]}…" in again.text and "Read and write" in again.text
    assert "Never" in again.text and "Active" in again.text
    # ... and in the database as its SHA-256 only.
    (row,) = tokens_of(app, manager)
    assert row.token_hash == token_hash(token) and row.prefix == token[:12]
    assert row.name == "HR sync" and not row.read_only and row.active
    with app.app_context():
        assert token not in dump_database_text(db.engine)
    (entry,) = audit(app, "api.token_created")
    assert entry.actor_id == manager.id and entry.target_type == "ApiToken" and entry.target_id == str(row.id)
    assert entry.details == {"read_only": False}


def test_the_new_token_works_against_the_api_as_its_user(app, client, manager):
    _, token = create(client, "script")
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 200
    assert response.get_json()["id"] == manager.id and response.get_json()["read_only"] is False
    page = client.get("/account/tokens")
    assert "Never" not in page.text  # "last used" now has a time


@pytest.fixture
def write_probe(app):
    """A write route on the API blueprint (added before the first request), answering 200 to anyone let in."""

    def probe():
        return {"written": True}

    app.add_url_rule("/api/v1/test-probe", endpoint="api.test_probe", view_func=signed_in(probe), methods=["POST"])
    return "/api/v1/test-probe"


def write_routes(app) -> list[tuple[str, str]]:
    """(method, URL) of every non-public write route of the API, with 1 for each URL parameter."""
    adapter = app.url_map.bind("localhost")
    routes = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if not rule.endpoint.startswith("api.") or getattr(view, "access", None) == "public":
            continue
        for method in sorted(rule.methods - {"GET", "HEAD", "OPTIONS"}):
            routes.append((method, adapter.build(rule.endpoint, dict.fromkeys(rule.arguments, 1), method=method)))
    return routes


def test_a_read_only_token_may_read_but_gets_403_on_every_write(app, client, manager, write_probe):
    response, token = create(client, "dashboard", read_only=True)
    assert response.status_code == 201
    assert tokens_of(app, manager)[0].read_only
    assert audit(app, "api.token_created")[0].details == {"read_only": True}
    assert "Read-only" in client.get("/account/tokens").text
    me = client.get("/api/v1/me", headers=bearer(token))
    assert me.status_code == 200 and me.get_json()["read_only"] is True
    routes = write_routes(app)
    assert ("POST", write_probe) in routes
    for method, url in routes:
        refused = client.open(url, method=method, json={}, headers=bearer(token))
        assert refused.status_code == 403, (method, url)
        assert refused.get_json()["error"]["code"] == "forbidden"
    # The same write with a read-write token of the same user goes through.
    _, writer = create(client, "sync")
    assert client.post(write_probe, json={}, headers=bearer(writer)).status_code == 200


def test_revoking_a_token_stops_it_at_once_and_is_audited(app, client, manager):
    _, token = create(client, "old script")
    (row,) = tokens_of(app, manager)
    response = client.post(f"/account/tokens/{row.id}/revoke")
    assert response.status_code == 302 and response.headers["Location"] == "/account/tokens"
    (row,) = tokens_of(app, manager)
    assert row.revoked_at is not None and not row.active
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    page = client.get("/account/tokens")
    assert "is revoked" in page.text and "Revoked " in page.text
    assert f'action="/account/tokens/{row.id}/revoke"' not in page.text
    (entry,) = audit(app, "api.token_revoked")
    assert entry.actor_id == manager.id and entry.target_id == str(row.id) and entry.details == {"read_only": False}
    # Revoking again changes nothing and records nothing.
    assert client.post(f"/account/tokens/{row.id}/revoke").status_code == 302
    assert len(audit(app, "api.token_revoked")) == 1
    # The name of a revoked token is free again.
    assert create(client, "old script")[0].status_code == 201


def test_nobody_can_see_or_revoke_another_users_token(app, client, manager):
    with app.app_context():
        colleague = make_user(Role.ADMIN)
        theirs = make_token(colleague, name="their secret script")
        their_id = db.session.scalar(db.select(ApiToken.id))
    assert "their secret script" not in client.get("/account/tokens").text
    assert client.post(f"/account/tokens/{their_id}/revoke").status_code == 404
    assert client.post("/account/tokens/999999/revoke").status_code == 404
    assert tokens_of(app, colleague)[0].active
    assert client.get("/api/v1/me", headers=bearer(theirs)).status_code == 200
    assert audit(app, "api.token_revoked") == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("x" * 81, "Field cannot be longer than 80 characters."),
        ("hr SYNC", NAME_TAKEN),
    ],
)
def test_invalid_names_are_refused_and_the_input_kept(app, client, manager, name, message):
    create(client, "HR sync")
    response, token = create(client, name, read_only=True)
    assert response.status_code == 200 and token is None
    assert message in response.text
    assert 'class="form-control is-invalid"' in response.text
    assert f'value="{name.strip()}"' in response.text
    assert re.search(r'<input checked[^>]* name="read_only" type="checkbox"', response.text)
    assert len(tokens_of(app, manager)) == 1
    assert len(audit(app, "api.token_created")) == 1


def test_names_are_unique_per_user_only(app, client, manager):
    with app.app_context():
        make_token(make_user(Role.MANAGER), name="HR sync")
    assert create(client, "HR sync")[0].status_code == 201


def test_an_interviewer_manages_their_own_tokens(app, client):
    with app.app_context():
        interviewer = make_user(Role.INTERVIEWER)
    sign_in_as(client, interviewer)
    assert client.get("/account/tokens").status_code == 200
    response, token = create(client, "calendar")
    assert response.status_code == 201
    me = client.get("/api/v1/me", headers=bearer(token))
    assert me.status_code == 200 and me.get_json()["role"] == "interviewer"
    (row,) = tokens_of(app, interviewer)
    assert client.post(f"/account/tokens/{row.id}/revoke").status_code == 302
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_the_forms_are_protected_against_csrf(live_app):
    client = live_app.test_client()
    with live_app.app_context():
        user = make_user(Role.MANAGER)
        theirs = make_token(user, name="kept")
        kept_id = db.session.scalar(db.select(ApiToken.id))
    sign_in_as(client, user)
    forged = client.post("/account/tokens", data={"name": "forged"})
    assert forged.status_code == 400 and "nothing was saved" in forged.text
    assert client.post(f"/account/tokens/{kept_id}/revoke").status_code == 400
    assert [row.name for row in tokens_of(live_app, user)] == ["kept"]
    assert client.get("/api/v1/me", headers=bearer(theirs)).status_code == 200
    page = client.get("/account/tokens").text
    csrf_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/account/tokens", data={"name": "real", "csrf_token": csrf_token})
    assert response.status_code == 201 and NEW_TOKEN.search(response.text)
    response = client.post(f"/account/tokens/{kept_id}/revoke", data={"csrf_token": csrf_token})
    assert response.status_code == 302
    assert client.get("/api/v1/me", headers=bearer(theirs)).status_code == 401
