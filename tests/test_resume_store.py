"""Storing resumes: one attachment per file, the candidate's resume text searched, no version bump."""

from hiring.pool import pool_query
from hiring.resume_store import delete_resume, resume_path, store_resume
from models import Candidate, ResumeFile, ResumeKind, db
from tests.factories import make_candidate


def test_a_stored_resume_is_searchable_once_and_leaves_the_record_version_alone(app):
    with app.app_context():
        candidate = make_candidate(name="Rosa Quinlan")
        version = candidate.version
        resume, new = store_resume(
            candidate, ResumeKind.PDF, "../../etc/Rosa CV.pdf", b"%PDF-1.7 x", "Zanzibarite quota", "upload", None
        )
        again, new_again = store_resume(
            candidate, ResumeKind.PDF, "copy.pdf", b"%PDF-1.7 x", "Zanzibarite quota", "upload", None
        )
        db.session.commit()
        assert new and not new_again and again.id == resume.id
        assert resume.original_name == "Rosa CV.pdf"
        assert resume_path(resume).read_bytes() == b"%PDF-1.7 x"
        assert resume_path(resume).stat().st_mode & 0o077 == 0
        db.session.expire_all()
        candidate = db.session.get(Candidate, candidate.id)
        assert candidate.version == version
        assert [c.id for c in db.session.scalars(pool_query({"q": "zanzibarite"}))] == [candidate.id]

        delete_resume(resume, None)
        db.session.commit()
        assert not resume_path(resume).exists()
        assert db.session.scalar(db.select(db.func.count(ResumeFile.id))) == 0
        assert list(db.session.scalars(pool_query({"q": "zanzibarite"}))) == []
