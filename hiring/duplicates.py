"""Finding candidates who may be the same person as a new or edited record."""

from dataclasses import dataclass
from difflib import SequenceMatcher

from sqlalchemy import func, or_

from models import Candidate, db, normalize_email
from models.contact import fold, normalize_linkedin, normalize_phone

# Two names at the same company this similar (0..1) are probably one person
# ("Jon Smith" / "John Smith", "Ana Lopez" / "Ana López").
NAME_SIMILARITY = 0.85


@dataclass(frozen=True)
class Match:
    """An existing candidate and why they look like the same person."""

    candidate: Candidate
    reasons: tuple[str, ...]


def name_similarity(a: str, b: str) -> float:
    """Return how alike two person names are, from 0 to 1, ignoring case, accents and word order."""
    a_words, b_words = sorted(fold(a).split()), sorted(fold(b).split())
    return SequenceMatcher(None, " ".join(a_words), " ".join(b_words)).ratio()


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
    addresses = {normalize_email(e) for e in emails if e and e.strip()}
    phone_key, linkedin_key = normalize_phone(phone), normalize_linkedin(linkedin_url)
    conditions = []
    if addresses:
        conditions += [Candidate.email.in_(addresses), Candidate.alt_email.in_(addresses)]
    if phone_key:
        conditions.append(Candidate.phone_normalized == phone_key)
    if linkedin_key:
        conditions.append(Candidate.linkedin_key == linkedin_key)
    if name and company and company.strip():
        conditions.append(func.lower(Candidate.company) == company.strip().lower())
    if not conditions:
        return []
    query = db.select(Candidate).where(or_(*conditions)).order_by(Candidate.id).limit(50)
    if exclude_id is not None:
        query = query.where(Candidate.id != exclude_id)
    matches = []
    for candidate in db.session.scalars(query):
        reasons = []
        if addresses & set(candidate.emails):
            reasons.append("same e-mail")
        if phone_key and candidate.phone_normalized == phone_key:
            reasons.append("same phone")
        if linkedin_key and candidate.linkedin_key == linkedin_key:
            reasons.append("same LinkedIn URL")
        if name and company and name_similarity(name, candidate.name) >= NAME_SIMILARITY:
            reasons.append("similar name at the same company")
        if reasons:
            matches.append(Match(candidate, tuple(reasons)))
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
