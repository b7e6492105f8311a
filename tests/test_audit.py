"""The audit log is written by actions, readable and filterable by admins, and append-only."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from hiring.audit import record
from models import AuditEntry, Role, db
from tests.factories import make_user, sign_in_as


def add_entry(action, at, actor_label="ada@example.com", target_type=None, target_id=None):
    """Insert an entry with a chosen time (the app always uses the current one)."""
    db.session.add(
        AuditEntry(action=action, at=at, actor_label=actor_label, target_type=target_type, target_id=target_id)
    )


def test_record_in_a_request_captures_actor_address_and_target(app):
    with app.app_context():
        admin = make_user(Role.ADMIN, email="ada@example.com")
        target = make_user(Role.MANAGER)
    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        from flask_login import login_user

        login_user(db.session.get(type(admin), admin.id))
        record("user.exported", db.session.get(type(target), target.id), details={"rows": 3})
        db.session.commit()
        entry = db.session.scalars(db.select(AuditEntry)).one()
        assert (entry.actor_id, entry.actor_label, entry.ip_address) == (admin.id, "ada@example.com", "203.0.113.9")
        assert (entry.target_type, entry.target_id, entry.details) == ("User", str(target.id), {"rows": 3})
        assert entry.at.tzinfo is not None and datetime.now(UTC) - entry.at < timedelta(minutes=1)


def test_record_outside_a_request_is_labelled_command_line(app):
    with app.app_context():
        record("maintenance.done")
        db.session.commit()
        entry = db.session.scalars(db.select(AuditEntry)).one()
        assert (entry.actor_id, entry.actor_label, entry.ip_address) == (None, "command line", None)


def test_audit_entry_rolls_back_with_the_change_it_describes(app):
    with app.app_context():
        record("user.created")
        db.session.rollback()
        assert db.session.scalar(db.select(sa.func.count()).select_from(AuditEntry)) == 0


@pytest.mark.parametrize("statement", ["UPDATE audit_entry SET action = 'forged'", "DELETE FROM audit_entry"])
def test_database_refuses_to_change_or_delete_entries(app, statement):
    with app.app_context():
        record("auth.sign_in")
        db.session.commit()
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            db.session.execute(sa.text(statement))
            db.session.commit()
        db.session.rollback()
        assert db.session.scalars(db.select(AuditEntry.action)).all() == ["auth.sign_in"]


@pytest.fixture
def audit_page(app, client):
    """Sign in as admin over a log of five known entries; return a function that lists actions shown."""
    with app.app_context():
        admin = make_user(Role.ADMIN, email="ada@example.com")
        start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
        add_entry("auth.sign_in", start)
        add_entry("user.created", start + timedelta(days=1), target_type="User", target_id="7")
        add_entry("user.updated", start + timedelta(days=2), target_type="User", target_id="7")
        add_entry(
            "user.updated", start + timedelta(days=3), actor_label="bo@example.com", target_type="User", target_id="8"
        )
        add_entry("auth.sign_out", start + timedelta(days=4))
        db.session.commit()
    sign_in_as(client, admin)

    def shown(query=""):
        response = client.get("/admin/audit/" + query)
        assert response.status_code == 200
        rows = response.text.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in response.text else ""
        return [row.split("<code>")[1].split("</code>")[0] for row in rows.split("<tr>")[1:]], response.text

    return shown


def test_audit_page_lists_newest_first_and_sorts_oldest_first(audit_page):
    actions, _ = audit_page()
    assert actions == ["auth.sign_out", "user.updated", "user.updated", "user.created", "auth.sign_in"]
    actions, _ = audit_page("?sort=oldest")
    assert actions[0] == "auth.sign_in"


@pytest.mark.parametrize(
    "query, expected",
    [
        ("?action=user.updated", ["user.updated", "user.updated"]),
        ("?actor=BO@", ["user.updated"]),
        ("?target_type=User&target_id=7", ["user.updated", "user.created"]),
        ("?since=2026-03-02&until=2026-03-03", ["user.updated", "user.created"]),
        ("?until=2026-03-01", ["auth.sign_in"]),
        ("?actor=%25", []),
    ],
)
def test_audit_page_filters(audit_page, query, expected):
    actions, _ = audit_page(query)
    assert actions == expected


@pytest.mark.parametrize(
    "query, message",
    [
        ("?since=2026-03-05&until=2026-03-01", "The end date is before the start date."),
        ("?since=yesterday", "Not a valid date value."),
        ("?action=no.such.action", "Not a valid choice."),
    ],
)
def test_audit_page_explains_bad_filters(audit_page, query, message):
    actions, text = audit_page(query)
    assert message in text
    assert actions == []


def test_audit_page_pages(app, audit_page):
    app.config["PAGE_SIZE"] = 2
    actions, text = audit_page("?page=3")
    assert actions == ["auth.sign_in"]
    assert "Showing 5–5 of 5 entries." in text
    assert 'href="/admin/audit/?page=2"' in text
