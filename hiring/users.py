"""Admins invite users, change their roles, reset their passwords and deactivate them."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from hiring.access import allow
from hiring.audit import record
from hiring.auth import invitation_url
from hiring.editing import commit_edit
from hiring.forms import NewUserForm, UserFilterForm, UserForm
from models import AuditEntry, Role, User, db, is_last_active_admin
from models.api_token import revoke_tokens_of

bp = Blueprint("users", __name__, url_prefix="/admin/users")

SORTS = {
    "name": (User.name, User.id),
    "email": (User.email,),
    "role": (User.role, User.name, User.id),
    "created": (User.created_at.desc(), User.id.desc()),
    "last_sign_in": (User.last_sign_in_at.desc().nulls_last(), User.id),
}


def filtered_users(form: UserFilterForm):
    """Return the SELECT of users matching the filter form, sorted as it asks."""
    query = db.select(User)
    if form.q.data:
        term = form.q.data.strip()
        query = query.where(User.name.icontains(term, autoescape=True) | User.email.icontains(term, autoescape=True))
    if form.role.data:
        query = query.where(User.role == Role(form.role.data))
    if form.status.data == "active":
        query = query.where(User.active.is_(True))
    elif form.status.data == "inactive":
        query = query.where(User.active.is_(False))
    elif form.status.data == "invited":
        query = query.where(User.active.is_(True), User.password_hash.is_(None))
    return query.order_by(*SORTS.get(form.sort.data, SORTS["name"]))


@bp.get("/")
@allow(Role.ADMIN)
def index():
    """List users: search, filter by role and status, sort, page."""
    form = UserFilterForm(request.args)
    page = None
    if form.validate():
        page = db.paginate(filtered_users(form), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("users/index.html", form=form, page=page)


@bp.route("/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def create():
    """Invite a user: the account exists at once, the password is chosen through a link."""
    form = NewUserForm()
    if form.validate_on_submit():
        user = User(email=form.email.data, name=form.name.data, role=Role(form.role.data))
        db.session.add(user)
        record("user.created", user, details={"role": user.role.value})
        db.session.commit()
        flash(f"{user.name} is invited. Send them the invitation link below.", "success")
        return redirect(url_for("users.edit", user_id=user.id))
    return render_template("users/new.html", form=form)


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit(user_id: int):
    """Show a user, and change their name and role."""
    user = db.get_or_404(User, user_id)
    form = UserForm(record=user)
    if form.validate_on_submit():
        changed = [name for name in ("name", "role") if getattr(form, name).data != getattr(user, name)]
        user.name = form.name.data
        user.role = Role(form.role.data)
        record("user.updated", user, details={"fields": changed})
        if commit_edit(form):
            flash(f"Saved {user.name}.", "success")
            return redirect(url_for("users.edit", user_id=user.id))
    history = db.session.scalars(
        db.select(AuditEntry)
        .where(AuditEntry.target_type == "User", AuditEntry.target_id == str(user.id))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(10)
    ).all()
    invitation = invitation_url(user) if user.active and user.password_hash is None else None
    return render_template("users/edit.html", form=form, user=user, history=history, invitation=invitation)


@bp.post("/<int:user_id>/deactivate")
@allow(Role.ADMIN)
def deactivate(user_id: int):
    """Block a user from signing in and end their sessions."""
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id:
        flash("You cannot deactivate your own account. Ask another admin.", "danger")
    elif is_last_active_admin(user):
        flash("This is the last active admin and cannot be deactivated.", "danger")
    elif user.active:
        user.deactivate()
        # Revoked, not just refused while inactive: reactivating the account must not bring old tokens back.
        revoked = revoke_tokens_of(user)
        record("user.deactivated", user, details={"api_tokens_revoked": revoked})
        db.session.commit()
        tokens = f" {revoked} API token{'s' if revoked != 1 else ''} revoked." if revoked else ""
        flash(f"{user.name} is deactivated and signed out everywhere.{tokens}", "success")
    return redirect(url_for("users.edit", user_id=user.id))


@bp.post("/<int:user_id>/reactivate")
@allow(Role.ADMIN)
def reactivate(user_id: int):
    """Let a deactivated user sign in again."""
    user = db.get_or_404(User, user_id)
    if not user.active:
        user.active = True
        record("user.reactivated", user)
        db.session.commit()
        flash(f"{user.name} can sign in again.", "success")
    return redirect(url_for("users.edit", user_id=user.id))


@bp.post("/<int:user_id>/reset-password")
@allow(Role.ADMIN)
def reset_password(user_id: int):
    """Remove a user's password and sign them out; they choose a new one through a link."""
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id:
        flash("To change your own password, use Change password in your account menu.", "danger")
    elif not user.active:
        flash("Reactivate this user before resetting their password.", "danger")
    else:
        user.clear_password()
        record("user.password_reset", user)
        db.session.commit()
        flash(f"{user.name}'s password is removed. Send them the new link below.", "success")
    return redirect(url_for("users.edit", user_id=user.id))
