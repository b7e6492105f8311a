"""Signing in and out, throttling, password changes, invitations and session cookies."""

import uuid

import pytest

from hiring.auth import SIGN_IN_FAILED, THROTTLED
from models import AuditEntry, Role, User, db
from tests.factories import PASSWORD, make_user, sign_in_as


def sign_in(client, email, password=PASSWORD, **kwargs):
    """Post the sign-in form."""
    return client.post("/sign-in", data={"email": email, "password": password}, **kwargs)


def audit_actions(app):
    with app.app_context():
        return db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)).all()


def test_sign_in_lands_on_home_and_is_audited(app, client):
    with app.app_context():
        user = make_user(Role.MANAGER, email="mia@example.com", name="Mia Lopez")
    response = sign_in(client, "  MIA@example.com ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert "Hello, Mia Lopez" in home.text
    with app.app_context():
        entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "auth.sign_in")).one()
        assert (entry.actor_id, entry.target_id, entry.ip_address) == (user.id, str(user.id), "127.0.0.1")
        assert db.session.get(User, user.id).last_sign_in_at is not None


@pytest.mark.parametrize(
    "email, password",
    [
        ("mia@example.com", "wrong password here"),  # wrong password
        ("nobody@example.com", PASSWORD),  # unknown e-mail
        ("gone@example.com", PASSWORD),  # deactivated account
        ("invited@example.com", ""),  # invited, has no password yet
    ],
)
def test_failed_sign_in_says_the_same_whatever_the_reason(app, client, email, password):
    with app.app_context():
        make_user(email="mia@example.com")
        make_user(email="gone@example.com", active=False)
        make_user(email="invited@example.com", password=None)
    response = sign_in(client, email, password)
    assert response.status_code == 200
    if password:
        assert SIGN_IN_FAILED in response.text
    else:
        assert "This field is required." in response.text
    assert f'value="{email}"' in response.text  # what was typed is kept
    assert client.get("/").status_code == 302  # still signed out


def test_failed_sign_in_is_audited_against_the_account(app, client):
    with app.app_context():
        user = make_user(email="mia@example.com")
    sign_in(client, "mia@example.com", "not the password")
    sign_in(client, "nobody@example.com", "not the password")
    with app.app_context():
        failures = db.session.scalars(
            db.select(AuditEntry).where(AuditEntry.action == "auth.sign_in_failed").order_by(AuditEntry.id)
        ).all()
        assert [(f.target_id, f.actor_label) for f in failures] == [(str(user.id), "anonymous"), (None, "anonymous")]


@pytest.mark.parametrize(
    "next_url, expected",
    [
        ("/admin/users/", "/admin/users/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_sign_in_follows_only_local_next_urls(app, client, next_url, expected):
    with app.app_context():
        make_user(Role.ADMIN, email="ada@example.com")
    response = sign_in(client, "ada@example.com", query_string={"next": next_url})
    assert response.headers["Location"] == expected


def test_protected_page_sends_anonymous_user_to_sign_in_and_back(app, client):
    with app.app_context():
        make_user(Role.ADMIN, email="ada@example.com")
    response = client.get("/admin/users/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")
    response = client.post(response.headers["Location"], data={"email": "ada@example.com", "password": PASSWORD})
    assert response.headers["Location"] == "/admin/users/"


def test_repeated_failures_for_one_account_are_throttled(app, client):
    with app.app_context():
        make_user(email="mia@example.com")
        make_user(email="leo@example.com")
    for _ in range(5):
        assert sign_in(client, "mia@example.com", "wrong password").status_code == 200
    # Even the right password is refused while the account is throttled...
    response = sign_in(client, "MIA@example.com", PASSWORD)
    assert response.status_code == 429
    assert THROTTLED in response.text
    assert 'value="MIA@example.com"' in response.text
    assert "Retry-After" in response.headers
    # ...and an unknown e-mail is throttled the same way, so it reveals nothing.
    for _ in range(5):
        sign_in(client, "nobody@example.com", "wrong password")
    assert sign_in(client, "nobody@example.com", "wrong password").status_code == 429
    # Another account from the same address is not affected.
    assert sign_in(client, "leo@example.com").status_code == 302


def test_successful_sign_ins_do_not_count_towards_the_throttle(app, client):
    with app.app_context():
        make_user(email="mia@example.com")
    for _ in range(7):
        assert sign_in(client, "mia@example.com").status_code == 302
        client.post("/sign-out")


def test_repeated_failures_from_one_address_are_throttled(app, client):
    app.config["SIGN_IN_LIMIT_PER_ADDRESS"] = "3 per 15 minutes"
    with app.app_context():
        make_user(email="mia@example.com")
    for number in range(3):
        sign_in(client, f"guess{number}@example.com", "wrong password")
    assert sign_in(client, "mia@example.com").status_code == 429
    other_address = {"REMOTE_ADDR": "10.1.2.3"}
    assert sign_in(client, "mia@example.com", environ_base=other_address).status_code == 302


def test_throttle_is_shared_by_workers_through_redis(database):
    """With Redis storage, failures counted by one worker throttle the next worker too."""
    from hiring import create_app
    from tests.conftest import base_config

    config = base_config(
        **database, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379", RATELIMIT_KEY_PREFIX=uuid.uuid4().hex
    )
    worker_one, worker_two = create_app(config), create_app(config)
    with worker_one.app_context():
        make_user(email="mia@example.com")
    for _ in range(3):
        sign_in(worker_one.test_client(), "mia@example.com", "wrong password")
    for _ in range(2):
        sign_in(worker_two.test_client(), "mia@example.com", "wrong password")
    assert sign_in(worker_one.test_client(), "mia@example.com").status_code == 429
    for worker in (worker_one, worker_two):
        with worker.app_context():
            db.engine.dispose()


def test_sign_out_needs_post_and_ends_the_session(app, client):
    with app.app_context():
        make_user(email="mia@example.com")
    sign_in(client, "mia@example.com")
    assert client.get("/sign-out").status_code == 405
    response = client.post("/sign-out")
    assert response.headers["Location"] == "/sign-in"
    assert client.get("/").status_code == 302
    assert audit_actions(app)[-1] == "auth.sign_out"


def test_change_password_checks_the_current_one(app, client):
    with app.app_context():
        user = make_user(email="mia@example.com")
    sign_in_as(client, user)
    response = client.post(
        "/account/password",
        data={
            "current_password": "not it at all",
            "password": "plum orchard lantern",
            "confirm": "plum orchard lantern",
        },
    )
    assert "This is not your current password." in response.text


@pytest.mark.parametrize(
    "password, confirm, message",
    [
        ("short", "short", "The password must have 10 to 128 characters."),
        ("x" * 129, "x" * 129, "The password must have 10 to 128 characters."),
        ("password123", "password123", "too easy to guess"),
        ("aaaaaaaaaaaa", "aaaaaaaaaaaa", "too easy to guess"),
        ("zebra mia.wolfe", "zebra mia.wolfe", "must not contain your e-mail name"),
        ("plum orchard lantern", "plum orchard lantrn", "The two passwords differ."),
    ],
)
def test_new_password_rules(app, client, password, confirm, message):
    with app.app_context():
        user = make_user(email="mia.wolfe@example.com")
    sign_in_as(client, user)
    response = client.post(
        "/account/password", data={"current_password": PASSWORD, "password": password, "confirm": confirm}
    )
    assert response.status_code == 200
    assert message in response.text


def test_changing_password_ends_other_sessions_but_keeps_this_one(app):
    with app.app_context():
        make_user(email="mia@example.com")
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, "mia@example.com")
    sign_in(phone, "mia@example.com")
    response = laptop.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": "plum orchard lantern", "confirm": "plum orchard lantern"},
    )
    assert response.headers["Location"] == "/"
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302
    laptop.post("/sign-out")
    assert sign_in(laptop, "mia@example.com").status_code == 200  # old password refused
    assert sign_in(laptop, "mia@example.com", "plum orchard lantern").status_code == 302
    assert "auth.password_changed" in audit_actions(app)


def test_invited_user_chooses_a_password_through_a_single_use_link(app, client):
    with app.app_context():
        admin = make_user(Role.ADMIN)
    sign_in_as(client, admin)
    response = client.post(
        "/admin/users/new", data={"email": "New.Rep@Example.com", "name": "Noa Berg", "role": "interviewer"}
    )
    page = client.get(response.headers["Location"])
    link = page.text.split('id="invitation-link"')[1].split('value="')[1].split('"')[0].replace("&amp;", "&")
    client.post("/sign-out")

    invited = app.test_client()
    form = invited.get(link)
    assert "Choose a password for <strong>new.rep@example.com</strong>" in form.text
    response = invited.post(link, data={"password": "plum orchard lantern", "confirm": "plum orchard lantern"})
    assert response.headers["Location"] == "/"
    assert "Hello, Noa Berg" in invited.get("/").text

    again = app.test_client().get(link)
    assert again.status_code == 404
    assert "This link no longer works" in again.text


@pytest.mark.parametrize("tamper", ["garbage", "expired"])
def test_bad_or_expired_invitation_links_are_refused(app, client, tamper):
    from hiring.auth import invitation_url

    with app.app_context():
        user = make_user(password=None)
    with app.test_request_context():
        link = invitation_url(db.session.get(User, user.id))
    if tamper == "garbage":
        link = link[:-4] + "AAAA"
    else:
        app.config["INVITATION_MAX_AGE"] = -1
    assert client.get(link).status_code == 404


def test_deactivated_users_session_ends_at_once(app, client):
    with app.app_context():
        user = make_user()
    sign_in_as(client, user)
    assert client.get("/").status_code == 200
    with app.app_context():
        db.session.get(User, user.id).deactivate()
        db.session.commit()
    assert client.get("/").status_code == 302


def test_session_cookie_is_http_only_and_same_site(app, client):
    with app.app_context():
        make_user(email="mia@example.com")
    cookie = sign_in(client, "mia@example.com").headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    assert "Expires=" in cookie  # ends after PERMANENT_SESSION_LIFETIME without use, not never


def test_session_cookie_is_secure_over_https(app):
    with app.app_context():
        make_user(email="mia@example.com")
    client = app.test_client()
    cookie = sign_in(client, "mia@example.com", base_url="https://localhost").headers["Set-Cookie"]
    assert "Secure" in cookie


def test_signed_in_user_visiting_sign_in_goes_home(app, client):
    with app.app_context():
        user = make_user()
    sign_in_as(client, user)
    assert client.get("/sign-in").headers["Location"] == "/"
