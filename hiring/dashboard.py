"""The manager's dashboard: the bench at a glance, shown on the home page to managers and admins."""

from datetime import UTC, date, datetime

from flask import Blueprint, current_app, render_template
from flask_login import current_user
from sqlalchemy import func

from hiring import dashboard_data as data
from hiring.access import allow
from hiring.candidates import POOL_ROLES
from models import AuditEntry, Role, User, db

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


def render_dashboard(todo: dict) -> str:
    """Render the dashboard; ``todo`` is the user's own scorecards to fill (managers interview too)."""
    today, now = date.today(), datetime.now(UTC)
    idle_total, idle_top = data.idle_a_fit()
    openings_total, openings = data.active_openings()
    hire_tiers = data.hire_tiers(today)
    return render_template(
        "dashboard/index.html",
        todo=todo,
        by_status=data.pool_by_status(),
        idle_total=idle_total,
        idle_top=idle_top,
        cold_count=data.going_cold_count(today, current_app.config["GOING_COLD_DAYS"]),
        due=data.interviews_due(now),
        due_days=data.DUE_DAYS,
        openings_total=openings_total,
        funnels=data.opening_funnels(openings),
        hires=data.recent_hires(today),
        hire_tiers=hire_tiers,
        hires_total=sum(n for _, n in hire_tiers),
        hire_months=data.HIRE_MONTHS,
        now=now,
        **admin_panels(),
    )


def admin_panels() -> dict:
    """For admins, active users by role and the latest audit entries; nothing for others."""
    if current_user.role != Role.ADMIN:
        return {"users_by_role": {}, "recent": []}
    users_by_role = dict(
        db.session.execute(db.select(User.role, func.count()).where(User.active.is_(True)).group_by(User.role)).all()
    )
    recent = db.session.scalars(
        db.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(10)
    ).all()
    return {"users_by_role": users_by_role, "recent": recent}


@bp.get("/idle-a-players")
@allow(*POOL_ROLES)
def idle_a_players():
    """Every candidate predicted to be an A-player who is in no active process, best P(A) first, paged."""
    page = db.paginate(data.idle_a_fit_query(), per_page=current_app.config["PAGE_SIZE"], error_out=False, count=True)
    return render_template("dashboard/idle_a.html", page=page)
