"""Shortlists: named, ordered, shared lists of candidates.

The owner (or an admin) renames, shares and deletes a list; the managers it is
shared with add, remove, order and comment on its entries. Every change of the
entries first locks the list's row (an UPDATE of ``updated_at``), so two changes
of one list run one after the other and positions stay 1..n without duplicates.
"""

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from wtforms.fields.choices import SelectChoice

from hiring.access import allow
from hiring.audit import record
from hiring.candidates import POOL_ROLES, opening_choices
from hiring.editing import commit_edit
from hiring.ranking import active_version, scores_of
from hiring.shortlist_forms import (
    MAX_COMMENT,
    NAME_TAKEN,
    AddForm,
    CommentForm,
    ConfirmForm,
    MoveForm,
    NewShortlistForm,
    ShortlistFilterForm,
    ShortlistForm,
)
from models import Candidate, Opening, Role, Shortlist, ShortlistEntry, User, db, utcnow
from models.shortlist import shortlist_share

bp = Blueprint("shortlists", __name__, url_prefix="/shortlists")
# Merging two records of one person joins their comments on a list with this.
COMMENT_SEPARATOR = " / "


# Who sees what ------------------------------------------------------------------


def shared_ids(user: User):
    """SELECT of the ids of the lists shared with ``user``."""
    return db.select(shortlist_share.c.shortlist_id).where(shortlist_share.c.user_id == user.id)


def mine_or_shared(user: User):
    """WHERE clause: the lists ``user`` owns or that are shared with them."""
    return or_(Shortlist.owner_id == user.id, Shortlist.id.in_(shared_ids(user)))


def visible_to(user: User):
    """WHERE clause: the lists ``user`` may open and change the entries of (admins: every list)."""
    return true() if user.role == Role.ADMIN else mine_or_shared(user)


def can_manage(shortlist: Shortlist, user: User) -> bool:
    """Only the owner or an admin renames, shares or deletes a list."""
    return user.role == Role.ADMIN or shortlist.owner_id == user.id


def visible_or_404(shortlist_id: int) -> Shortlist:
    """Return the list if the current user may see it; others get 404 (a list not shared with you is not there)."""
    return db.one_or_404(db.select(Shortlist).where(Shortlist.id == shortlist_id, visible_to(current_user)))


def managed_or_403(shortlist_id: int) -> Shortlist:
    """Return the list if the current user may rename, share or delete it; a shared manager gets 403."""
    shortlist = visible_or_404(shortlist_id)
    if not can_manage(shortlist, current_user):
        abort(403)
    return shortlist


def my_shortlists() -> list[Shortlist]:
    """The lists the current user owns or shares, by name, to add candidates to (loaded once per request)."""
    if "my_shortlists" not in g:
        if not current_user.is_authenticated or current_user.role not in POOL_ROLES:
            g.my_shortlists = []
        else:
            query = db.select(Shortlist).where(mine_or_shared(current_user)).order_by(Shortlist.name)
            g.my_shortlists = db.session.scalars(query).all()
    return g.my_shortlists


def shortlists_with(candidate_id: int) -> list[Shortlist]:
    """The lists the current user can see that hold the candidate, by name."""
    query = (
        db.select(Shortlist)
        .join(ShortlistEntry, ShortlistEntry.shortlist_id == Shortlist.id)
        .where(ShortlistEntry.candidate_id == candidate_id, visible_to(current_user))
        .order_by(Shortlist.name)
    )
    return db.session.scalars(query).all()


@bp.app_context_processor
def shortlist_helpers() -> dict:
    """Let the pool list, opening boards and candidate pages offer "add to shortlist" (queried only when called)."""
    return {"my_shortlists": my_shortlists, "shortlists_with": shortlists_with}


# Changing the entries -------------------------------------------------------------


def lock_list(shortlist_id: int) -> None:
    """Mark the list changed and hold its row until commit, so concurrent entry changes run one at a time.

    A plain (Core) UPDATE: entry changes must not bump the list's version, or
    editing its name would conflict with every added candidate.
    """
    table = Shortlist.__table__
    db.session.execute(db.update(table).where(table.c.id == shortlist_id).values(updated_at=utcnow()))


def ordered_entries(shortlist_id: int) -> list[ShortlistEntry]:
    """The entries of a list in order, read fresh (after ``lock_list``, nobody else changes them)."""
    query = (
        db.select(ShortlistEntry)
        .where(ShortlistEntry.shortlist_id == shortlist_id)
        .order_by(ShortlistEntry.position, ShortlistEntry.id)
        .execution_options(populate_existing=True)
    )
    return db.session.scalars(query).all()


def renumber(entries: list[ShortlistEntry]) -> None:
    """Give the entries positions 1..n in their list order (closing gaps left by erased candidates)."""
    for number, entry in enumerate(entries, start=1):
        if entry.position != number:
            entry.position = number


def add_entries(shortlist: Shortlist, candidate_ids: list[int], user: User | None) -> tuple[list[int], int]:
    """Append the candidates not yet on the list, in the order given; return the ids added and how many were on it."""
    lock_list(shortlist.id)
    entries = ordered_entries(shortlist.id)
    renumber(entries)
    on_list = {entry.candidate_id for entry in entries}
    wanted = list(dict.fromkeys(candidate_ids))
    existing = set(db.session.scalars(db.select(Candidate.id).where(Candidate.id.in_(wanted))))
    added = [cid for cid in wanted if cid in existing and cid not in on_list]
    for number, candidate_id in enumerate(added, start=len(entries) + 1):
        db.session.add(
            ShortlistEntry(
                shortlist_id=shortlist.id, candidate_id=candidate_id, position=number, comment="",
                added_by_id=user.id if user is not None else None,
            )
        )  # fmt: skip
    already = sum(1 for cid in wanted if cid in on_list)
    if added:
        record("shortlist.entry_added", shortlist, details={"candidate_ids": added, "count": len(added)})
    return added, already


def entry_in(entries: list[ShortlistEntry], entry_id: int) -> int:
    """Return the index of the entry in the list, or answer 404 (removed meanwhile, or another list's)."""
    for index, entry in enumerate(entries):
        if entry.id == entry_id:
            return index
    abort(404)


def move_entry(shortlist: Shortlist, entry_id: int, to: str, position: int | None) -> tuple[int, int]:
    """Move an entry up, down or to a position (clamped to the list); return its old and new positions."""
    lock_list(shortlist.id)
    entries = ordered_entries(shortlist.id)
    index = entry_in(entries, entry_id)
    last = len(entries) - 1
    target = {"up": index - 1, "down": index + 1}.get(to, (position or 1) - 1)
    target = min(max(target, 0), last)
    entry = entries.pop(index)
    entries.insert(target, entry)
    renumber(entries)
    if target != index:
        details = {"entry_id": entry.id, "candidate_id": entry.candidate_id, "from": index + 1, "to": target + 1}
        record("shortlist.entry_moved", shortlist, details=details)
    return index + 1, target + 1


def remove_entry(shortlist: Shortlist, entry_id: int) -> ShortlistEntry:
    """Take an entry off the list and close the gap; return the removed entry."""
    lock_list(shortlist.id)
    entries = ordered_entries(shortlist.id)
    entry = entries.pop(entry_in(entries, entry_id))
    db.session.delete(entry)
    renumber(entries)
    record("shortlist.entry_removed", shortlist, details={"entry_id": entry.id, "candidate_id": entry.candidate_id})
    return entry


def joined_comment(first: str, second: str) -> str:
    """Two comments on one person as one, within the column's length."""
    parts = [part for part in (first.strip(), second.strip()) if part]
    if len(parts) == 2 and parts[0] == parts[1]:
        parts = parts[:1]
    return COMMENT_SEPARATOR.join(parts)[:MAX_COMMENT]


def merge_entries(survivor_id: int, other_id: int) -> int:
    """Move the merged record's entries to the survivor; return how many lists the other record was on.

    Where both were on one list, the survivor's entry stays, at the better of the
    two positions, with both comments; the other entry goes and the list is renumbered.
    """
    others = db.session.scalars(db.select(ShortlistEntry).where(ShortlistEntry.candidate_id == other_id)).all()
    if not others:
        return 0
    mine = {
        entry.shortlist_id: entry
        for entry in db.session.scalars(db.select(ShortlistEntry).where(ShortlistEntry.candidate_id == survivor_id))
    }
    for other in others:
        kept = mine.get(other.shortlist_id)
        if kept is None:
            other.candidate_id = survivor_id
            continue
        lock_list(other.shortlist_id)
        kept.comment = joined_comment(kept.comment, other.comment)
        kept.position = min(kept.position, other.position)
        db.session.delete(other)
        db.session.flush()
        entries = sorted(ordered_entries(other.shortlist_id), key=lambda e: (e.position, e.id != kept.id, e.id))
        renumber(entries)
    db.session.flush()  # before the merged record is deleted, which would cascade to entries still on it
    return len(others)


# Pages ------------------------------------------------------------------------------


def safe_back(value: str | None, default: str) -> str:
    """Where to return after adding: a path of this site, never an address elsewhere."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return default


def size_of():
    """Correlated count of a list's entries, to sort by."""
    return (
        db.select(func.count(ShortlistEntry.id))
        .where(ShortlistEntry.shortlist_id == Shortlist.id)
        .correlate(Shortlist)
        .scalar_subquery()
    )


def sort_order(key: str) -> tuple:
    """ORDER BY of the list page for a sort key (ties broken so that paging is stable)."""
    size = size_of()
    return {
        "name": (Shortlist.name, Shortlist.id),
        "-size": (size.desc(), Shortlist.name, Shortlist.id),
        "size": (size, Shortlist.name, Shortlist.id),
    }.get(key, (Shortlist.updated_at.desc(), Shortlist.id.desc()))


def filter_form() -> ShortlistFilterForm:
    """The list page's filter form read from the query string, with its choices."""
    form = ShortlistFilterForm(request.args)
    form.opening.choices = [*opening_choices("Any opening"), SelectChoice("none", "No opening")]
    if current_user.role == Role.ADMIN:
        form.show.choices = [SelectChoice("", "All shortlists"), *form.show.choices[1:]]
    return form


def filtered_lists(form: ShortlistFilterForm):
    """SELECT of the lists the current user can see, filtered and sorted as the form asks."""
    query = db.select(Shortlist).where(visible_to(current_user))
    if form.show.data == "mine":
        query = query.where(Shortlist.owner_id == current_user.id)
    elif form.show.data == "shared":
        query = query.where(Shortlist.id.in_(shared_ids(current_user)))
    if form.opening.data == "none":
        query = query.where(Shortlist.opening_id.is_(None))
    elif form.opening.data:
        query = query.where(Shortlist.opening_id == int(form.opening.data))
    if form.q.data:
        query = query.where(Shortlist.name.icontains(form.q.data, autoescape=True))
    return query.order_by(*sort_order(form.sort.data))


@bp.get("/")
@allow(*POOL_ROLES)
def index():
    """My shortlists and those shared with me (admins: all): filter, search, sort, page."""
    form = filter_form()
    if not form.validate():
        return render_template("shortlists/index.html", form=form, page=None, sizes={}), 400
    query = filtered_lists(form).options(
        joinedload(Shortlist.owner), joinedload(Shortlist.opening), selectinload(Shortlist.shared_with)
    )
    page = db.paginate(query, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    sizes = dict(
        db.session.execute(
            db.select(ShortlistEntry.shortlist_id, func.count())
            .where(ShortlistEntry.shortlist_id.in_([shortlist.id for shortlist in page.items]))
            .group_by(ShortlistEntry.shortlist_id)
        ).all()
    )
    return render_template("shortlists/index.html", form=form, page=page, sizes=sizes)


def fill_choices(form, owner_id: int) -> None:
    """Set the opening and sharing choices: openings, and the active managers other than the owner."""
    form.opening_id.choices = [SelectChoice("", "None (free-standing)"), *opening_choices("")[1:]]
    managers = db.session.scalars(
        db.select(User).where(User.active.is_(True), User.role == Role.MANAGER, User.id != owner_id).order_by(User.name)
    )
    form.share_ids.choices = [SelectChoice(user.id, user.name) for user in managers]


def fill_shortlist(shortlist: Shortlist, form) -> tuple[list[str], list[int], list[int]]:
    """Copy the form onto the list; return the fields changed and the user ids shared with and unshared."""
    chosen = set(form.share_ids.data or []) - {shortlist.owner_id}
    current = {user.id for user in shortlist.shared_with}
    # Loaded before any attribute changes, so that one flush writes them all (one version bump).
    users = db.session.scalars(db.select(User).where(User.id.in_(chosen))).all() if chosen != current else None
    changed = []
    for name in ("name", "description", "opening_id"):
        value = getattr(form, name).data
        value = value or "" if name == "description" else value
        if getattr(shortlist, name) != value:
            setattr(shortlist, name, value)
            changed.append(name)
    if users is not None:
        shortlist.shared_with = users
    return changed, sorted(chosen - current), sorted(current - chosen)


def record_sharing(shortlist: Shortlist, added: list[int], removed: list[int]) -> None:
    """Audit a change of whom the list is shared with (user ids only)."""
    if added or removed:
        record("shortlist.shared", shortlist, details={"added": added, "removed": removed})


@bp.route("/new", methods=["GET", "POST"])
@allow(*POOL_ROLES)
def create():
    """Start a shortlist, for an opening or free-standing, and share it with other managers."""
    form = NewShortlistForm()
    fill_choices(form, current_user.id)
    if request.method == "GET":
        opening_id = request.args.get("opening", type=int)
        form.opening_id.data = opening_id if db.session.get(Opening, opening_id or 0) else None
    if form.validate_on_submit():
        shortlist = Shortlist(owner_id=current_user.id)
        _, added, _ = fill_shortlist(shortlist, form)
        db.session.add(shortlist)
        record("shortlist.created", shortlist, details={"opening_id": shortlist.opening_id, "shared": len(added)})
        record_sharing(shortlist, added, [])
        try:
            db.session.commit()
        except IntegrityError:  # the same name taken a moment ago
            db.session.rollback()
            form.name.errors.append(NAME_TAKEN)
        else:
            flash(f"Created the shortlist “{shortlist.name}”.", "success")
            return redirect(url_for("shortlists.detail", shortlist_id=shortlist.id))
    status = 400 if request.method == "POST" else 200
    return render_template("shortlists/form.html", form=form, shortlist=None), status


@bp.route("/<int:shortlist_id>/edit", methods=["GET", "POST"])
@allow(*POOL_ROLES)
def edit(shortlist_id: int):
    """Rename, describe, link and share a list (owner or admin); a colleague's save in between is detected."""
    shortlist = managed_or_403(shortlist_id)
    form = ShortlistForm(record=shortlist)
    fill_choices(form, shortlist.owner_id)
    if request.method == "GET":
        form.share_ids.data = [user.id for user in shortlist.shared_with]
    if form.validate_on_submit():
        changed, added, removed = fill_shortlist(shortlist, form)
        # Always write the list, so its version is checked even when only the sharing changed.
        shortlist.updated_at = utcnow()
        record("shortlist.updated", shortlist, details={"fields": changed})
        record_sharing(shortlist, added, removed)
        if commit_edit(form, integrity_message=NAME_TAKEN):
            flash(f"Saved the shortlist “{shortlist.name}”.", "success")
            return redirect(url_for("shortlists.detail", shortlist_id=shortlist.id))
        shortlist = db.session.get(Shortlist, shortlist_id)  # what the colleague saved, to show beside the input
    status = 400 if request.method == "POST" else 200
    return render_template("shortlists/form.html", form=form, shortlist=shortlist), status


@bp.route("/<int:shortlist_id>/delete", methods=["GET", "POST"])
@allow(*POOL_ROLES)
def delete(shortlist_id: int):
    """Ask, then delete a list (owner or admin); its candidates stay in the pool."""
    shortlist = managed_or_403(shortlist_id)
    form = ConfirmForm()
    size = db.session.scalar(db.select(func.count()).where(ShortlistEntry.shortlist_id == shortlist.id))
    if form.validate_on_submit():
        name = shortlist.name
        record("shortlist.deleted", shortlist, details={"entries": size})
        db.session.delete(shortlist)
        db.session.commit()
        flash(f"Deleted the shortlist “{name}”. Its candidates stay in the pool.", "success")
        return redirect(url_for("shortlists.index"))
    return render_template("shortlists/delete.html", shortlist=shortlist, form=form, size=size)


@bp.get("/<int:shortlist_id>")
@allow(*POOL_ROLES)
def detail(shortlist_id: int):
    """A list's entries in order, with fit, comments, moves and the choice of candidates to compare."""
    return render_detail(visible_or_404(shortlist_id))


def entries_of(shortlist_id: int) -> list[ShortlistEntry]:
    """A list's entries in its order, with their candidates and who added them, in one query."""
    return db.session.scalars(
        db.select(ShortlistEntry)
        .options(joinedload(ShortlistEntry.candidate), joinedload(ShortlistEntry.added_by))
        .where(ShortlistEntry.shortlist_id == shortlist_id)
        .order_by(ShortlistEntry.position, ShortlistEntry.id)
    ).all()


def render_detail(shortlist: Shortlist, status: int = 200, failed: tuple[int, str, object] | None = None):
    """Render a list; ``failed`` is (entry id, "comment" or "move", its form) to show that entry's errors and input."""
    entries = entries_of(shortlist.id)
    page = render_template(
        "shortlists/detail.html",
        shortlist=shortlist,
        entries=entries,
        fits=scores_of([entry.candidate_id for entry in entries]),
        fit_version=active_version(),
        manage=can_manage(shortlist, current_user),
        failed_id=failed[0] if failed else None,
        failed_kind=failed[1] if failed else None,
        failed_form=failed[2] if failed else None,
        max_comment=MAX_COMMENT,
    )
    return page, status


@bp.post("/add")
@allow(*POOL_ROLES)
def add():
    """Add the candidates sent (ticked on the pool list, a board card, a candidate's page) to a list."""
    form = AddForm()
    back = safe_back(form.back.data, url_for("shortlists.index"))
    if not form.validate_on_submit():
        for field in (form.shortlist_id, form.ids):
            for error in field.errors:
                flash(f"{field.label.text}: {error}" if field is form.ids else "Choose a shortlist.", "danger")
        return redirect(back)
    shortlist = visible_or_404(form.shortlist_id.data)
    added, already = add_entries(shortlist, form.ids.data, current_user)
    db.session.commit()
    if added:
        noun = "candidate" if len(added) == 1 else "candidates"
        flash(f"Added {len(added)} {noun} to “{shortlist.name}”.", "success")
    if already:
        who = "1 of the selected candidates was" if already == 1 else f"{already} of the selected candidates were"
        flash(f"{who} already on “{shortlist.name}”; nothing changed for them.", "info")
    return redirect(back)


def entry_or_404(shortlist: Shortlist, entry_id: int) -> ShortlistEntry:
    """Return the entry of this list, or answer 404."""
    return db.one_or_404(
        db.select(ShortlistEntry).where(ShortlistEntry.id == entry_id, ShortlistEntry.shortlist_id == shortlist.id)
    )


def back_to(shortlist: Shortlist, entry_id: int | None = None):
    """Redirect to the list, at the entry just changed."""
    anchor = f"entry-{entry_id}" if entry_id else None
    return redirect(url_for("shortlists.detail", shortlist_id=shortlist.id, _anchor=anchor))


@bp.post("/<int:shortlist_id>/entries/<int:entry_id>/comment")
@allow(*POOL_ROLES)
def comment(shortlist_id: int, entry_id: int):
    """Save the comment on one entry; too long a comment is refused with the input kept."""
    shortlist = visible_or_404(shortlist_id)
    form = CommentForm()
    if not form.validate_on_submit():
        entry_or_404(shortlist, entry_id)
        return render_detail(shortlist, 400, failed=(entry_id, "comment", form))
    lock_list(shortlist.id)
    entry = entry_or_404(shortlist, entry_id)
    text = form.comment.data or ""
    if entry.comment != text:
        entry.comment = text
        details = {"entry_id": entry.id, "candidate_id": entry.candidate_id, "characters": len(text)}
        record("shortlist.entry_commented", shortlist, details=details)
        db.session.commit()
        flash("Comment saved." if text else "Comment removed.", "success")
    return back_to(shortlist, entry_id)


@bp.post("/<int:shortlist_id>/entries/<int:entry_id>/move")
@allow(*POOL_ROLES)
def move(shortlist_id: int, entry_id: int):
    """Move an entry one place up or down, or to a position; the list is renumbered 1..n."""
    shortlist = visible_or_404(shortlist_id)
    form = MoveForm()
    if not form.validate_on_submit():
        entry_or_404(shortlist, entry_id)
        return render_detail(shortlist, 400, failed=(entry_id, "move", form))
    before, after = move_entry(shortlist, entry_id, form.to.data, form.position.data)
    db.session.commit()
    if before != after:
        flash(f"Moved from position {before} to {after}.", "success")
    return back_to(shortlist, entry_id)


@bp.post("/<int:shortlist_id>/entries/<int:entry_id>/remove")
@allow(*POOL_ROLES)
def remove(shortlist_id: int, entry_id: int):
    """Take a candidate off the list (they stay in the pool)."""
    shortlist = visible_or_404(shortlist_id)
    entry = remove_entry(shortlist, entry_id)
    name = entry.candidate.name
    db.session.commit()
    flash(f"Removed {name} from “{shortlist.name}”. They stay in the pool.", "success")
    return back_to(shortlist)
