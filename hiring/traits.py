"""Admin pages for the scorecard traits and the versioned scorecard templates."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from hiring.access import allow
from hiring.audit import record
from hiring.editing import commit_edit
from hiring.forms import CONFLICT_MESSAGE
from hiring.trait_forms import (
    NewTemplateForm,
    NewTraitForm,
    TemplateForm,
    TraitFilterForm,
    TraitForm,
    text_lines,
)
from models import Rating, Role, Scorecard, ScorecardStatus, ScorecardTemplate, TemplateItem, Trait, User, db

bp = Blueprint("traits", __name__, url_prefix="/admin")

TRAIT_SORTS = {"name": (Trait.name, Trait.id), "key": (Trait.key,)}
TRAIT_FIELDS = ("key", "name", "description")


# Traits


def rating_counts(trait_ids: list[int]) -> dict[int, int]:
    """Return how many ratings (draft or submitted) use each of these traits."""
    rows = db.session.execute(
        db.select(Rating.trait_id, func.count()).where(Rating.trait_id.in_(trait_ids)).group_by(Rating.trait_id)
    )
    return dict(rows.all())


def templates_including(trait: Trait) -> list[ScorecardTemplate]:
    """Return every template version, current or old, that includes the trait."""
    query = (
        db.select(ScorecardTemplate)
        .join(TemplateItem, TemplateItem.template_id == ScorecardTemplate.id)
        .where(TemplateItem.trait_id == trait.id)
        .order_by(ScorecardTemplate.name, ScorecardTemplate.version_number)
    )
    return list(db.session.scalars(query))


def trait_in_use(trait: Trait) -> bool:
    """True if a rating uses the trait or a template version includes it: then it can be retired, not deleted."""
    rated = db.session.scalar(db.select(Rating.id).where(Rating.trait_id == trait.id).limit(1))
    listed = db.session.scalar(db.select(TemplateItem.id).where(TemplateItem.trait_id == trait.id).limit(1))
    return rated is not None or listed is not None


def fill_trait(trait: Trait, form) -> list[str]:
    """Copy the form onto the trait; return the names of the fields that changed."""
    values = {name: getattr(form, name).data or "" for name in TRAIT_FIELDS}
    values["questions"] = "\n".join(text_lines(form.questions.data))
    values["anchors"] = form.anchors()
    changed = [name for name, value in values.items() if getattr(trait, name) != value]
    for name in changed:
        setattr(trait, name, values[name])
    return changed


def filtered_traits(form: TraitFilterForm):
    """Return the SELECT of traits the filter form asks for, sorted."""
    query = db.select(Trait)
    status = form.status.data or "active"
    if status != "all":
        query = query.where(Trait.retired.is_(status == "retired"))
    return query.order_by(*TRAIT_SORTS.get(form.sort.data, TRAIT_SORTS["name"]))


@bp.get("/traits/")
@allow(Role.ADMIN)
def index():
    """List traits with how many ratings use each: filter in use / retired, sort, page."""
    form = TraitFilterForm(request.args)
    if not form.validate():
        form = TraitFilterForm(formdata=None)
    page = db.paginate(filtered_traits(form), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    counts = rating_counts([trait.id for trait in page.items])
    return render_template("traits/index.html", form=form, page=page, counts=counts)


@bp.route("/traits/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def create():
    """Add a trait; it can then be put on scorecard templates."""
    form = NewTraitForm()
    if form.validate_on_submit():
        trait = Trait()
        fill_trait(trait, form)
        db.session.add(trait)
        try:
            record("trait.created", trait)  # flushes, so a key taken meanwhile fails here
            db.session.commit()
        except IntegrityError:  # the key was taken in the same moment
            db.session.rollback()
            flash("Another trait took this key meanwhile. Choose another key.", "danger")
        else:
            flash(f"Added the trait {trait.name}. Put it on a scorecard template to use it in interviews.", "success")
            return redirect(url_for("traits.edit", trait_id=trait.id))
    return render_template("traits/form.html", form=form, trait=None)


@bp.route("/traits/<int:trait_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit(trait_id: int):
    """Edit a trait's wording, questions and anchors; its key only while no rating uses it."""
    trait = db.get_or_404(Trait, trait_id)
    ratings = rating_counts([trait.id]).get(trait.id, 0)
    form = TraitForm(record=trait, key_locked=ratings > 0)
    if form.validate_on_submit():
        changed = fill_trait(trait, form)
        if changed:
            record("trait.updated", trait, details={"fields": changed})
        if commit_edit(form, integrity_message="Another trait took this key meanwhile. Choose another key."):
            flash(f"Saved {trait.name}.", "success")
            return redirect(url_for("traits.edit", trait_id=trait.id))
    templates = templates_including(trait)
    return render_template("traits/form.html", form=form, trait=trait, ratings=ratings, templates=templates)


@bp.post("/traits/<int:trait_id>/retire")
@allow(Role.ADMIN)
def retire(trait_id: int):
    """Retire a trait: it can no longer be added to templates; past ratings keep it."""
    trait = db.get_or_404(Trait, trait_id)
    if not trait.retired:
        trait.retired = True
        record("trait.retired", trait)
        db.session.commit()
        current = [template for template in templates_including(trait) if template.is_current]
        note = f" It stays on {len(current)} current template(s) until you take it off there." if current else ""
        flash(f"Retired {trait.name}; it can no longer be added to templates.{note}", "success")
    return redirect(url_for("traits.edit", trait_id=trait.id))


@bp.post("/traits/<int:trait_id>/restore")
@allow(Role.ADMIN)
def restore(trait_id: int):
    """Bring a retired trait back, so that templates can include it again."""
    trait = db.get_or_404(Trait, trait_id)
    if trait.retired:
        trait.retired = False
        record("trait.restored", trait)
        db.session.commit()
        flash(f"Restored {trait.name}; templates can include it again.", "success")
    return redirect(url_for("traits.edit", trait_id=trait.id))


@bp.post("/traits/<int:trait_id>/delete")
@allow(Role.ADMIN)
def delete(trait_id: int):
    """Delete a trait that nothing uses; a trait that is rated or on a template can only be retired."""
    trait = db.get_or_404(Trait, trait_id)
    refusal = f"Ratings or scorecard templates use {trait.name}, so it cannot be deleted. Retire it instead."
    if trait_in_use(trait):
        flash(refusal, "danger")
        return redirect(url_for("traits.edit", trait_id=trait.id))
    name = trait.name
    record("trait.deleted", trait, details={"key": trait.key})
    db.session.delete(trait)
    try:
        db.session.commit()
    except IntegrityError:  # a rating or template took it up in the same moment
        db.session.rollback()
        flash(refusal, "danger")
        return redirect(url_for("traits.edit", trait_id=trait_id))
    flash(f"Deleted the trait {name}.", "success")
    return redirect(url_for("traits.index"))


# Scorecard templates


def scorecard_counts(template_ids: list[int]) -> dict[int, dict[str, int]]:
    """Return, per template version, how many scorecards use it: {"total": n, "submitted": m}."""
    submitted = func.count().filter(Scorecard.status == ScorecardStatus.SUBMITTED)
    rows = db.session.execute(
        db.select(Scorecard.template_id, func.count(), submitted)
        .where(Scorecard.template_id.in_(template_ids))
        .group_by(Scorecard.template_id)
    )
    return {template_id: {"total": total, "submitted": done} for template_id, total, done in rows}


def submitted_scorecards(template: ScorecardTemplate) -> int:
    """How many submitted scorecards use this template version (then an edit makes a new version)."""
    return scorecard_counts([template.id]).get(template.id, {}).get("submitted", 0)


def family_versions(template: ScorecardTemplate) -> list[ScorecardTemplate]:
    """Every version of the template's family, oldest first."""
    query = db.select(ScorecardTemplate).where(ScorecardTemplate.family_id == template.family_id)
    return list(db.session.scalars(query.order_by(ScorecardTemplate.version_number)))


def current_version(template: ScorecardTemplate) -> ScorecardTemplate:
    """Return the current version of the template's family (the template itself if it is current)."""
    if template.is_current:
        return template
    query = db.select(ScorecardTemplate).where(
        ScorecardTemplate.family_id == template.family_id, ScorecardTemplate.is_current.is_(True)
    )
    return db.session.scalars(query.order_by(ScorecardTemplate.version_number.desc())).first() or template


def template_traits(template: ScorecardTemplate | None) -> list[Trait]:
    """The traits a template form offers: every trait in use, plus retired ones the template already has."""
    query = db.select(Trait).where(Trait.retired.is_(False))
    if template is not None:
        query = db.select(Trait).where(
            Trait.retired.is_(False) | Trait.id.in_([item.trait_id for item in template.items])
        )
    return list(db.session.scalars(query.order_by(Trait.name, Trait.id)))


def build_items(items: list[tuple[int, str]]) -> list[TemplateItem]:
    """Turn ordered (trait id, group) pairs into template items at positions 1, 2, 3 ..."""
    return [
        TemplateItem(trait_id=trait_id, group=group, position=position)
        for position, (trait_id, group) in enumerate(items, start=1)
    ]


def new_template(name: str, prompts: list[str], items: list[tuple[int, str]], actor: User) -> ScorecardTemplate:
    """Add version 1 of a new template, with items in the given order (not committed)."""
    template = ScorecardTemplate(
        name=name, prompts=list(prompts), version_number=1, is_current=True, created_by_id=actor.id,
        items=build_items(items),
    )  # fmt: skip
    db.session.add(template)
    db.session.flush()
    template.family_id = template.id  # the first version names the family
    record("template.created", template, actor=actor, details={"trait_ids": [trait_id for trait_id, _ in items]})
    return template


def template_changes(template: ScorecardTemplate, name: str, prompts: list[str], items: list[tuple[int, str]]):
    """Return the names of the parts ("name", "prompts", "traits") that the edit changes."""
    now = [(item.trait_id, item.group) for item in sorted(template.items, key=lambda item: item.position)]
    parts = {"name": template.name != name, "prompts": list(template.prompts) != list(prompts), "traits": now != items}
    return [part for part, changed in parts.items() if changed]


def save_template(
    template: ScorecardTemplate, name: str, prompts: list[str], items: list[tuple[int, str]], actor: User
) -> ScorecardTemplate:
    """Apply an edit to the current version of a template (not committed); return the version that holds it.

    Scorecards submitted on a version must keep reading exactly what their
    interviewer saw, so once one exists the edit goes into a new version and
    the old one stays untouched. Otherwise the version is changed in place.
    An edit that changes nothing changes nothing.
    """
    if not template.is_current:
        raise ValueError(f"version {template.version_number} of {template.name!r} is not current; edit the current one")
    changed = template_changes(template, name, prompts, items)
    if not changed:
        return template
    if submitted_scorecards(template):
        newest = db.session.scalar(
            db.select(func.max(ScorecardTemplate.version_number)).where(
                ScorecardTemplate.family_id == template.family_id
            )
        )
        version = ScorecardTemplate(
            family_id=template.family_id, version_number=(newest or template.version_number) + 1, name=name,
            prompts=list(prompts), is_current=True, created_by_id=actor.id, items=build_items(items),
        )  # fmt: skip
        template.is_current = False
        db.session.add(version)
        record(
            "template.versioned",
            version,
            actor=actor,
            details={"from_template_id": template.id, "version_number": version.version_number, "fields": changed},
        )
        return version
    template.name, template.prompts = name, list(prompts)
    # Update rows in place: deleting and re-adding a trait in one flush would break (template, trait) uniqueness.
    positions = {trait_id: (position, group) for position, (trait_id, group) in enumerate(items, start=1)}
    for item in list(template.items):
        if item.trait_id in positions:
            item.position, item.group = positions.pop(item.trait_id)
        else:
            template.items.remove(item)
    for trait_id, (position, group) in positions.items():
        template.items.append(TemplateItem(trait_id=trait_id, group=group, position=position))
    record("template.updated", template, actor=actor, details={"fields": changed})
    return template


def commit_template(form: TemplateForm, template: ScorecardTemplate) -> bool:
    """Commit a template edit; return False, with a message and the input kept, if it lost a race.

    On PostgreSQL the edited version is locked first, so this happens only
    when two saves create the same next version at once on SQLite.
    """
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        form.lost_race(current_version(template))
        flash(CONFLICT_MESSAGE, "warning")
        return False
    return True


def saved_message(template: ScorecardTemplate, saved: ScorecardTemplate) -> str:
    """Tell the admin where the edit went: into the version they edited, or into a new one."""
    if saved is template:
        return f"Saved {saved.name}."
    return (
        f"Saved {saved.name} as version {saved.version_number}. "
        f"Scorecards already submitted keep version {template.version_number}."
    )


@bp.get("/templates/")
@allow(Role.ADMIN)
def templates():
    """List the current version of every scorecard template, with how many scorecards use each version."""
    query = db.select(ScorecardTemplate).order_by(ScorecardTemplate.name, ScorecardTemplate.id)
    versions = list(db.session.scalars(query))
    counts = scorecard_counts([version.id for version in versions])
    older = {}
    for version in versions:
        if not version.is_current:
            older.setdefault(version.family_id, []).append(version)
    current = [version for version in versions if version.is_current]
    return render_template("scorecard_templates/index.html", templates=current, older=older, counts=counts)


@bp.route("/templates/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def create_template():
    """Create a scorecard template from the traits in use."""
    form = NewTemplateForm(template=None, traits=template_traits(None))
    if form.validate_on_submit():
        template = new_template(form.name.data, form.prompt_list(), form.chosen_items(), current_user)
        db.session.commit()
        flash(f"Created the scorecard template {template.name}.", "success")
        return redirect(url_for("traits.edit_template", template_id=template.id))
    return render_template("scorecard_templates/form.html", form=form, template=None)


@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit_template(template_id: int):
    """Edit the current version of a template (in place, or as a new version); older versions are read-only."""
    # Saving locks the version row (PostgreSQL), so two saves of one version run one after the other.
    lock = {"with_for_update": True} if request.method == "POST" else {}
    template = db.get_or_404(ScorecardTemplate, template_id, **lock)
    current = current_version(template)
    if request.method == "GET" and template is not current:
        return render_template(
            "scorecard_templates/version.html", template=template, current=current,
            versions=family_versions(template), counts=scorecard_counts([template.id]),
        )  # fmt: skip
    form = TemplateForm(record=template, current=current, traits=template_traits(current))
    if form.validate_on_submit():
        saved = save_template(template, form.name.data, form.prompt_list(), form.chosen_items(), current_user)
        if commit_template(form, template):
            flash(saved_message(template, saved), "success")
            return redirect(url_for("traits.edit_template", template_id=saved.id))
        current = form.current
    counts = scorecard_counts([current.id]).get(current.id, {})
    return render_template(
        "scorecard_templates/form.html", form=form, template=current, versions=family_versions(current),
        submitted=counts.get("submitted", 0), drafts=counts.get("total", 0) - counts.get("submitted", 0),
    )  # fmt: skip
