"""API authentication: tokens, read-only tokens, revoked tokens, JSON errors, rate limits."""

from models import ApiToken, AuditEntry, Role, User, db, utcnow
from tests.api.helpers import bearer, make_token
from tests.factories import make_user


def test_a_token_acts_as_its_user_and_each_use_is_audited(app, client):
    with app.app_context():
        user = make_user(Role.MANAGER, email="max@example.com")
        token = make_token(user)
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 200
    assert response.get_json() == {
        "id": user.id, "email": "max@example.com", "name": user.name, "role": "manager", "read_only": False,
    }  # fmt: skip
    assert "Set-Cookie" not in response.headers
    with app.app_context():
        (entry,) = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "api.used")).all()
        assert entry.actor_id == user.id and entry.details == {"method": "GET", "endpoint": "api.me"}
        assert db.session.scalar(db.select(ApiToken)).last_used_at is not None


def test_missing_wrong_and_revoked_tokens_get_401_as_json(app, client):
    with app.app_context():
        token = make_token(make_user(Role.MANAGER))
    for headers in ({}, bearer("bench_wrong"), {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"
        assert set(response.get_json()["error"]) == {"code", "message", "fields"}
    with app.app_context():
        db.session.scalar(db.select(ApiToken)).revoked_at = utcnow()
        db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_a_session_cookie_is_not_enough(app, client, manager):
    response = client.get("/api/v1/me")
    assert response.status_code == 401


def test_a_deactivated_users_token_stops_working(app, client):
    with app.app_context():
        user = make_user(Role.MANAGER)
        token = make_token(user)
        db.session.get(User, user.id).active = False
        db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_unknown_api_paths_answer_json(app, client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_tokens_are_rate_limited(app, client):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    with app.app_context():
        token = make_token(make_user(Role.MANAGER))
    codes = [client.get("/api/v1/me", headers=bearer(token)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get("/api/v1/me", headers=bearer(token)).get_json()["error"]["code"] == "rate_limited"
