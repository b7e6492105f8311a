"""Side-by-side comparison of 2 to 5 candidates."""

from dataclasses import dataclass

from flask import Blueprint, abort, redirect, render_template, request, url_for

from hiring.access import allow
from hiring.candidates import POOL_ROLES
from hiring.ranking import active_version, ranker_problem, scores_of
from hiring.scorecards import CombinedView, TraitRow, combined_view, submitted_scorecards_of
from models import (
    Candidate,
    CandidateScore,
    Hire,
    db,
)

bp = Blueprint("compare", __name__)

FEWEST, MOST = 2, 5
# Free text is cut to this many characters: the comparison is a summary, the candidate page has it all.
NOTE_LENGTH = 280


@dataclass
class Column:
    """One candidate's column: the record, the combined scorecards, the fit (or why there is none)."""

    candidate: Candidate
    combined: CombinedView | None
    fit: CandidateScore | None
    hired: bool

    @property
    def interviewed(self) -> bool:
        """At least one submitted scorecard (or a score, which needs one): what the candidate page checks."""
        return self.fit is not None or self.combined is not None

    def trait(self, name: str) -> TraitRow | None:
        """The combined row of a trait, or None if no scorecard of this candidate has that trait."""
        if self.combined is None:
            return None
        return next((row for row in self.combined.rows if row.name == name), None)


def chosen_ids(values: list[str]) -> list[int] | None:
    """The distinct candidate ids asked for, in the order given; None if one is not a valid id."""
    try:
        ids = [int(value) for value in values]
    except ValueError:
        return None
    # Ids are 32-bit: a larger number would make PostgreSQL fail the query instead of finding nobody.
    if not all(0 < candidate_id < 2**31 for candidate_id in ids):
        return None
    return list(dict.fromkeys(ids))


def back_link(value: str | None) -> str:
    """Where "back" goes: the pool list or shortlist the ids came from, or the plain pool list."""
    # Only a path of the pool list: never an address on another site.
    if value and value.startswith(("/candidates/", "/shortlists/")):
        return value
    return url_for("candidates.index")


def columns_of(candidates: list[Candidate]) -> list[Column]:
    """A column per candidate, with every list loaded in one query per kind (not per candidate)."""
    ids = [candidate.id for candidate in candidates]
    # Only managers and admins compare, and they may read every submitted scorecard.
    cards = submitted_scorecards_of(ids)
    fits = scores_of(ids)
    hired = set(db.session.scalars(db.select(Hire.candidate_id).where(Hire.candidate_id.in_(ids))))
    return [
        Column(
            candidate=candidate,
            combined=combined_view(cards[candidate.id]) if cards[candidate.id] else None,
            fit=fits.get(candidate.id),
            hired=candidate.id in hired,
        )
        for candidate in candidates
    ]


def trait_names(columns: list[Column]) -> list[str]:
    """Every trait rated for any of the candidates, in scorecard-template order, first seen first."""
    names = (row.name for column in columns if column.combined for row in column.combined.rows)
    return list(dict.fromkeys(names))


def rating_series(columns: list[Column], traits: list[str]) -> list[dict]:
    """The chart's series: per candidate, the combined rating of each trait (None where not rated)."""
    series = []
    for column in columns:
        rows = [column.trait(name) for name in traits]
        series.append({"name": column.candidate.name, "values": [row.mean if row else None for row in rows]})
    return series


def load_candidates(ids: list[int]) -> list[Candidate]:
    """The candidates in the order asked for; 404 if one of them does not exist."""
    found = {c.id: c for c in db.session.scalars(db.select(Candidate).where(Candidate.id.in_(ids)))}
    if len(found) != len(ids):
        abort(404)
    return [found[candidate_id] for candidate_id in ids]


@bp.get("/compare")
@allow(*POOL_ROLES)
def compare():
    """Show 2 to 5 candidates side by side: background, ratings, recommendations, fit and notes."""
    ids = chosen_ids(request.args.getlist("ids"))
    back = back_link(request.args.get("back"))
    if ids is None or not FEWEST <= len(ids) <= MOST:
        page = render_template("compare/choose.html", ids=ids, fewest=FEWEST, most=MOST, back=back)
        return page, 400
    candidates = load_candidates(ids)
    # The pool list's bulk form sends all its fields (its CSRF token too): keep them out of the address bar.
    if set(request.args) - {"ids", "back"}:
        return redirect(url_for("compare.compare", ids=ids, back=back))
    columns = columns_of(candidates)
    traits = trait_names(columns)
    version = active_version()
    unscored = any(column.interviewed and column.fit is None and not column.hired for column in columns)
    return render_template(
        "compare/index.html",
        columns=columns,
        traits=traits,
        series=rating_series(columns, traits),
        fit_version=version,
        fit_problem=ranker_problem(version) if unscored else None,
        back=back,
        note_length=NOTE_LENGTH,
    )
