"""Finding candidates who may be the same person as a new or edited record."""

from dataclasses import dataclass
from difflib import SequenceMatcher

from sqlalchemy import or_
from sqlalchemy.orm import defer

from models import Candidate, db
from models.contact import fold

# Two names at the same company this similar (0..1) are probably one person
# ("Jon Smith" / "John Smith", "Ana Lopez" / "Ana López").
NAME_SIMILARITY = 0.85
# Candidates considered per look-up: a big company has many people with other names.
MAX_MATCHES = 200

# Why two records look alike, in the words every screen uses.
SAME_EMAIL = "same e-mail"
SAME_PHONE = "same phone"
SAME_LINKEDIN = "same LinkedIn URL"
SIMILAR_NAME = "similar name at the same company"
REASONS = (SAME_EMAIL, SAME_PHONE, SAME_LINKEDIN, SIMILAR_NAME)


@dataclass(frozen=True)
class Match:
    """An existing candidate and why they look like the same person."""

    candidate: Candidate
    reasons: tuple[str, ...]


def name_matchers(a: str, b: str) -> tuple[SequenceMatcher, SequenceMatcher]:
    """Return matchers of two names folded (case, accents), as written and with their words sorted."""
    a_words, b_words = fold(a).split(), fold(b).split()
    return (
        SequenceMatcher(None, " ".join(a_words), " ".join(b_words)),
        SequenceMatcher(None, " ".join(sorted(a_words)), " ".join(sorted(b_words))),
    )


def name_similarity(a: str, b: str) -> float:
    """Return how alike two person names are, from 0 to 1, ignoring case, accents and word order."""
    return max(matcher.ratio() for matcher in name_matchers(a, b))


def names_alike(a: str, b: str) -> bool:
    """Return True if ``name_similarity(a, b)`` reaches NAME_SIMILARITY, computing it only when it can.

    real_quick_ratio() and quick_ratio() bound ratio() from above at a fraction of its cost, and
    most names at one company are ruled out by them.
    """
    return any(
        matcher.real_quick_ratio() >= NAME_SIMILARITY
        and matcher.quick_ratio() >= NAME_SIMILARITY
        and matcher.ratio() >= NAME_SIMILARITY
        for matcher in name_matchers(a, b)
    )


def reasons_between(a: Candidate, b: Candidate) -> tuple[str, ...]:
    """Return why two candidates look like the same person (empty if nothing matches)."""
    reasons = []
    if set(a.emails) & set(b.emails):
        reasons.append(SAME_EMAIL)
    if a.phone_normalized and a.phone_normalized == b.phone_normalized:
        reasons.append(SAME_PHONE)
    if a.linkedin_key and a.linkedin_key == b.linkedin_key:
        reasons.append(SAME_LINKEDIN)
    same_company = a.company and b.company and a.company.strip().lower() == b.company.strip().lower()
    if same_company and a.name and names_alike(a.name, b.name):
        reasons.append(SIMILAR_NAME)
    return tuple(reasons)


def find_duplicates(
    *,
    name: str | None = None,
    emails: list[str | None] = (),
    phone: str | None = None,
    linkedin_url: str | None = None,
    company: str | None = None,
    exclude_id: int | None = None,
) -> list[Match]:
    """Return existing candidates with the same e-mail, phone or LinkedIn URL, or a very similar name at one company."""
    addresses = [e for e in emails if e and e.strip()]
    # An unsaved record normalises the details exactly as a saved one would.
    probe = Candidate(
        name=name or "",
        email=addresses[0] if addresses else None,
        alt_email=addresses[1] if len(addresses) > 1 else None,
        phone=phone,
        linkedin_url=linkedin_url,
        company=company,
    )
    conditions = []
    if probe.emails:
        conditions += [Candidate.email.in_(probe.emails), Candidate.alt_email.in_(probe.emails)]
    if probe.phone_normalized:
        conditions.append(Candidate.phone_normalized == probe.phone_normalized)
    if probe.linkedin_key:
        conditions.append(Candidate.linkedin_key == probe.linkedin_key)
    if name and company and company.strip():
        # The usual spellings of the company, so the look-up can use the column's index
        # (lower() would scan the whole pool on every candidate page).
        spelled = company.strip()
        conditions.append(Candidate.company.in_({spelled, spelled.lower(), spelled.title(), spelled.upper()}))
    if not conditions:
        return []
    # The matches are compared and listed, never shown in full: leave the long texts in the database.
    long_texts = defer(Candidate.notes), defer(Candidate.search_text), defer(Candidate.resume_text)
    query = db.select(Candidate).options(*long_texts).where(or_(*conditions)).order_by(Candidate.id).limit(MAX_MATCHES)
    if exclude_id is not None:
        query = query.where(Candidate.id != exclude_id)
    matches = []
    for candidate in db.session.scalars(query):
        reasons = reasons_between(probe, candidate)
        if reasons:
            matches.append(Match(candidate, reasons))
    return matches


def duplicates_of(candidate: Candidate) -> list[Match]:
    """Return the other candidates that look like ``candidate``."""
    return find_duplicates(
        name=candidate.name,
        emails=candidate.emails,
        phone=candidate.phone,
        linkedin_url=candidate.linkedin_url,
        company=candidate.company,
        exclude_id=candidate.id,
    )
