"""Admins invite users, edit them, reset passwords and deactivate them; the last admin stays."""

import re

import pytest

from hiring.forms import CONFLICT_MESSAGE
from models import AuditEntry, Role, User, db
from tests.api.helpers import bearer, make_token
from tests.factories import make_user, sign_in_as


@pytest.fixture
def admin(app, client):
    """Sign in as an admin and return them."""
    with app.app_context():
        user = make_user(Role.ADMIN, email="ada@example.com", name="Ada Admin")
    sign_in_as(client, user)
    return user


def fetch_user(app, user_id):
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def test_invite_creates_user_without_password_and_audits(app, client, admin):
    response = client.post(
        "/admin/users/new", data={"email": " Noa@Example.com ", "name": " Noa Berg ", "role": "manager"}
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalars(db.select(User).where(User.email == "noa@example.com")).one()
        assert (user.name, user.role, user.password_hash, user.active) == ("Noa Berg", Role.MANAGER, None, True)
        entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "user.created")).one()
        assert (entry.actor_id, entry.target_id, entry.details) == (admin.id, str(user.id), {"role": "manager"})
    page = client.get(response.headers["Location"])
    assert "Sign-in link for Noa Berg" in page.text
    assert "Noa Berg is invited" in page.text


@pytest.mark.parametrize(
    "data, message",
    [
        ({"email": "ada@example.com", "name": "Again", "role": "manager"}, "A user with this e-mail already exists."),
        ({"email": "ADA@example.com ", "name": "Again", "role": "manager"}, "A user with this e-mail already exists."),
        ({"email": "not-an-address", "name": "X", "role": "manager"}, "Invalid email address."),
        ({"email": "x@example.com", "name": "  ", "role": "manager"}, "This field is required."),
        (
            {"email": "x@example.com", "name": "X" * 121, "role": "manager"},
            "Field cannot be longer than 120 characters.",
        ),
        ({"email": "x@example.com", "name": "X", "role": "owner"}, "Not a valid choice."),
    ],
)
def test_invite_form_validation_keeps_input(app, client, admin, data, message):
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 200
    assert message in response.text
    assert f'value="{data["email"].strip().lower()}"' in response.text  # nothing typed is lost
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1


def test_list_searches_filters_sorts_and_pages(app, client, admin):
    app.config["PAGE_SIZE"] = 2
    with app.app_context():
        make_user(Role.INTERVIEWER, name="Zoe Ortega", email="zoe@example.com")
        make_user(Role.INTERVIEWER, name="Bo Chen", email="bo@example.com", active=False)
        make_user(Role.MANAGER, name="Ivo Marsh", email="ivo@example.com", password=None)
    listed = lambda url: re.findall(r"<td>([^<@]+@example\.com)</td>", client.get(url).text)  # noqa: E731
    assert "Showing 1–2 of 4 users" in client.get("/admin/users/").text
    assert listed("/admin/users/") == ["ada@example.com", "bo@example.com"]  # sorted by name
    assert listed("/admin/users/?page=2") == ["ivo@example.com", "zoe@example.com"]
    assert listed("/admin/users/?q=ORTEGA") == ["zoe@example.com"]
    assert listed("/admin/users/?q=ivo@") == ["ivo@example.com"]
    assert listed("/admin/users/?role=interviewer") == ["bo@example.com", "zoe@example.com"]
    assert listed("/admin/users/?status=inactive") == ["bo@example.com"]
    assert listed("/admin/users/?status=invited") == ["ivo@example.com"]
    assert listed("/admin/users/?sort=created") == ["ivo@example.com", "bo@example.com"]
    assert listed("/admin/users/?sort=role&page=2") == ["zoe@example.com", "ivo@example.com"]
    assert "Not a valid choice" in client.get("/admin/users/?role=owner").text
    assert "No users match." in client.get("/admin/users/?q=%25").text  # % is a literal, not a wildcard


def test_edit_changes_name_and_role_and_audits_fields(app, client, admin):
    with app.app_context():
        user = make_user(Role.INTERVIEWER, name="Zoe Ortega")
    response = client.post(f"/admin/users/{user.id}", data={"name": "Zoe O.", "role": "manager", "version": 1})
    assert response.status_code == 302
    changed = fetch_user(app, user.id)
    assert (changed.name, changed.role, changed.version) == ("Zoe O.", Role.MANAGER, 2)
    with app.app_context():
        entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "user.updated")).one()
        assert entry.details == {"fields": ["name", "role"]}
    page = client.get(f"/admin/users/{user.id}").text
    assert "user.updated" in page  # recent changes on the user's page


def test_second_editor_gets_conflict_and_keeps_input(app, client, admin):
    with app.app_context():
        user = make_user(Role.INTERVIEWER, name="Zoe Ortega")
    first = client.post(f"/admin/users/{user.id}", data={"name": "Zoe First", "role": "interviewer", "version": 1})
    assert first.status_code == 302
    second = client.post(f"/admin/users/{user.id}", data={"name": "Zoe Second", "role": "manager", "version": 1})
    assert second.status_code == 200
    assert CONFLICT_MESSAGE.split(";")[0] in second.text.replace("&#39;", "'")
    assert 'value="Zoe Second"' in second.text
    assert "Saved now: name <strong>Zoe First</strong>" in second.text
    assert 'name="version" type="hidden" value="2"' in second.text
    assert fetch_user(app, user.id).name == "Zoe First"
    # Saving again, knowingly, replaces the other version.
    third = client.post(f"/admin/users/{user.id}", data={"name": "Zoe Second", "role": "manager", "version": 2})
    assert third.status_code == 302
    assert fetch_user(app, user.id).name == "Zoe Second"


def test_last_active_admin_cannot_lose_the_role(app, client, admin):
    response = client.post(f"/admin/users/{admin.id}", data={"name": "Ada", "role": "manager", "version": 1})
    assert "This is the last active admin" in response.text
    assert fetch_user(app, admin.id).role == Role.ADMIN
    with app.app_context():
        make_user(Role.ADMIN)
        make_user(Role.ADMIN, active=False)
    response = client.post(f"/admin/users/{admin.id}", data={"name": "Ada", "role": "manager", "version": 1})
    assert response.status_code == 302
    assert fetch_user(app, admin.id).role == Role.MANAGER


def test_last_active_admin_cannot_be_deactivated(app, client):
    with app.app_context():
        only_admin = make_user(Role.ADMIN, active=True)
        deactivated_admin = make_user(Role.ADMIN, active=False)
    # An admin whose session survives but who is being deactivated elsewhere:
    # simulate by signing in as the other (soon reactivated) admin.
    with app.app_context():
        db.session.get(User, deactivated_admin.id).active = True
        db.session.commit()
    sign_in_as(client, fetch_user(app, deactivated_admin.id))
    assert client.post(f"/admin/users/{only_admin.id}/deactivate").status_code == 302
    assert fetch_user(app, only_admin.id).active is False
    # Now the signed-in admin is the last one; another admin cannot exist to deactivate them,
    # and they cannot deactivate themselves.
    response = client.post(f"/admin/users/{deactivated_admin.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account" in response.text
    assert fetch_user(app, deactivated_admin.id).active is True


def test_last_admin_rule_blocks_deactivating_the_only_other_active_admin(app):
    from hiring.users import is_last_active_admin

    with app.app_context():
        admin_one = make_user(Role.ADMIN)
        admin_two = make_user(Role.ADMIN)
        assert not is_last_active_admin(db.session.get(User, admin_one.id))
        db.session.get(User, admin_two.id).deactivate()
        db.session.commit()
        assert is_last_active_admin(db.session.get(User, admin_one.id))
        assert not is_last_active_admin(db.session.get(User, admin_two.id))


def test_deactivate_and_reactivate(app, client, admin):
    with app.app_context():
        user = make_user(Role.INTERVIEWER, name="Zoe Ortega")
        tokens = [make_token(user), make_token(user, read_only=True)]
    their_client = app.test_client()
    sign_in_as(their_client, user)
    assert their_client.get("/api/v1/me", headers=bearer(tokens[0])).status_code == 200
    response = client.post(f"/admin/users/{user.id}/deactivate", follow_redirects=True)
    assert "Zoe Ortega is deactivated and signed out everywhere. 2 API tokens revoked." in response.text
    assert their_client.get("/").status_code == 302
    response = client.post(f"/admin/users/{user.id}/reactivate", follow_redirects=True)
    assert "Zoe Ortega can sign in again." in response.text
    assert fetch_user(app, user.id).active is True
    # The account is back; its old tokens are not: they were revoked, not just refused while it was off.
    assert all(their_client.get("/api/v1/me", headers=bearer(token)).status_code == 401 for token in tokens)
    with app.app_context():
        entries = db.session.scalars(db.select(AuditEntry).where(AuditEntry.target_id == str(user.id))).all()
    assert [entry.action for entry in entries] == ["user.deactivated", "user.reactivated"]
    assert entries[0].details == {"api_tokens_revoked": 2}


def test_reset_password_signs_out_and_shows_new_link(app, client, admin):
    with app.app_context():
        user = make_user(Role.INTERVIEWER, name="Zoe Ortega")
    their_client = app.test_client()
    sign_in_as(their_client, user)
    response = client.post(f"/admin/users/{user.id}/reset-password", follow_redirects=True)
    assert "Sign-in link for Zoe Ortega" in response.text
    assert their_client.get("/").status_code == 302
    assert fetch_user(app, user.id).password_hash is None


def test_admin_cannot_reset_own_password_here(app, client, admin):
    response = client.post(f"/admin/users/{admin.id}/reset-password", follow_redirects=True)
    assert "use Change password" in response.text
    assert fetch_user(app, admin.id).password_hash is not None


def test_unknown_user_is_404(client, admin):
    assert client.get("/admin/users/999999").status_code == 404
    assert client.post("/admin/users/999999/deactivate").status_code == 404


def test_conflict_is_detected_when_the_other_save_lands_between_check_and_write(app, client, admin, monkeypatch):
    import hiring.users

    with app.app_context():
        user = make_user(Role.INTERVIEWER, name="Zoe Ortega")
    original_record = hiring.users.record

    def record_after_a_racing_save(*args, **kwargs):
        with db.engine.begin() as other_connection:  # another worker's transaction
            other_connection.execute(
                db.text("UPDATE user_account SET name = 'Racer', version = version + 1 WHERE id = :id"),
                {"id": user.id},
            )
        return original_record(*args, **kwargs)

    monkeypatch.setattr(hiring.users, "record", record_after_a_racing_save)
    response = client.post(f"/admin/users/{user.id}", data={"name": "Zoe Mine", "role": "manager", "version": 1})
    assert response.status_code == 200
    assert "Someone else saved this record" in response.text.replace("&#39;", "'")
    assert 'value="Zoe Mine"' in response.text
    assert 'name="version" type="hidden" value="2"' in response.text
    assert fetch_user(app, user.id).name == "Racer"
