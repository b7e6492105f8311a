"""What API tests need: a token for a user, and the header that carries it."""

from hiring.api import new_token
from models import ApiToken, User, db


def make_token(user: User, read_only: bool = False, name: str = "script") -> str:
    """Create a token for ``user`` (inside an app context) and return it in clear."""
    token, prefix, digest = new_token()
    db.session.add(ApiToken(user_id=user.id, name=name, prefix=prefix, token_hash=digest, read_only=read_only))
    db.session.commit()
    return token


def bearer(token: str) -> dict:
    """The Authorization header of a request made with ``token``."""
    return {"Authorization": f"Bearer {token}"}
