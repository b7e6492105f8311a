"""The audit log: ``record()`` for every feature, and the admins' page to read it."""

from datetime import UTC, datetime, time

from flask import Blueprint, current_app, has_request_context, render_template, request
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from hiring.access import allow
from hiring.forms import AuditFilterForm
from models import AuditEntry, Role, User, db

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


def record(action: str, target=None, *, actor: User | None = None, details: dict | None = None) -> AuditEntry:
    """Add an audit entry to the session, to be committed with the change it describes.

    ``target`` is the model instance acted on (or None); ``details`` must hold
    ids, field names and counts, never personal data.
    """
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    if actor is not None:
        label = actor.email
    else:
        label = "anonymous" if has_request_context() else "command line"
    if target is not None and target.id is None:
        db.session.flush()  # the target needs its id before we can point at it
    entry = AuditEntry(
        action=action,
        actor_id=actor.id if actor is not None else None,
        actor_label=label,
        target_type=type(target).__name__ if target is not None else None,
        target_id=str(target.id) if target is not None else None,
        ip_address=request.remote_addr if has_request_context() else None,
        details=details or {},
    )
    db.session.add(entry)
    return entry


def filtered_entries(form: AuditFilterForm):
    """Return the SELECT of audit entries matching the filter form, sorted as it asks."""
    query = db.select(AuditEntry)
    if form.action.data:
        query = query.where(AuditEntry.action == form.action.data)
    if form.actor.data:
        query = query.where(AuditEntry.actor_label.icontains(form.actor.data.strip(), autoescape=True))
    if form.target_type.data:
        query = query.where(AuditEntry.target_type == form.target_type.data)
    if form.target_id.data:
        query = query.where(AuditEntry.target_id == form.target_id.data.strip())
    if form.since.data:
        query = query.where(AuditEntry.at >= datetime.combine(form.since.data, time.min, UTC))
    if form.until.data:
        query = query.where(AuditEntry.at <= datetime.combine(form.until.data, time.max, UTC))
    newest_first = form.sort.data != "oldest"
    order = (AuditEntry.at.desc(), AuditEntry.id.desc()) if newest_first else (AuditEntry.at, AuditEntry.id)
    return query.order_by(*order)


@bp.get("/")
@allow(Role.ADMIN)
def index():
    """List audit entries, filtered, sorted and paged."""
    form = AuditFilterForm(request.args)
    actions = db.session.scalars(db.select(AuditEntry.action).distinct().order_by(AuditEntry.action)).all()
    target_types = db.session.scalars(
        db.select(AuditEntry.target_type).where(AuditEntry.target_type.is_not(None)).distinct()
    ).all()
    form.action.choices = [SelectChoice("", "Any action"), *map(SelectChoice, actions)]
    form.target_type.choices = [SelectChoice("", "Any record"), *map(SelectChoice, sorted(target_types))]
    page = None
    if form.validate():
        page = db.paginate(
            filtered_entries(form), per_page=current_app.config["PAGE_SIZE"], max_per_page=200, error_out=False
        )
    return render_template("audit/index.html", form=form, page=page)
