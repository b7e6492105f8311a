"""The home page every signed-in user lands on."""

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import func

from hiring.access import signed_in
from models import AuditEntry, Role, User, db

bp = Blueprint("main", __name__)


@bp.get("/")
@signed_in
def index():
    """Greet the user with what their role can do; admins also see users and recent activity."""
    users_by_role, recent = {}, []
    if current_user.role == Role.ADMIN:
        users_by_role = dict(
            db.session.execute(
                db.select(User.role, func.count()).where(User.active.is_(True)).group_by(User.role)
            ).all()
        )
        recent = db.session.scalars(
            db.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(10)
        ).all()
    return render_template("main/index.html", users_by_role=users_by_role, recent=recent)
