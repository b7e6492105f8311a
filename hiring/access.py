"""Who may use which route: every view declares it, and one hook enforces it.

A view without a declaration is refused to everyone, so a forgotten
decorator fails closed; a test also walks the URL map to catch it early.
"""

from collections.abc import Callable

from flask import abort, current_app, request
from flask_login import current_user

from hiring.extensions import login_manager
from models import Role

PUBLIC = "public"


def public(view: Callable) -> Callable:
    """Declare that anyone, signed in or not, may use this view."""
    view.access = PUBLIC
    return view


def allow(*roles: Role) -> Callable[[Callable], Callable]:
    """Declare the roles that may use this view; others get 403, anonymous users the sign-in page."""
    if not roles:
        raise ValueError("allow() needs at least one role; use @public for open routes")

    def decorate(view: Callable) -> Callable:
        view.access = frozenset(roles)
        return view

    return decorate


def signed_in(view: Callable) -> Callable:
    """Declare that any signed-in user may use this view."""
    return allow(*Role)(view)


def access_rule(endpoint: str) -> str | frozenset | None:
    """Return the declared rule of an endpoint, or None if it declares none."""
    # Static files are served by Flask's own views, which cannot carry a declaration.
    if endpoint == "static" or endpoint.endswith(".static"):
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access", None)


def enforce_access():
    """Before every request: let it through, send it to sign in, or refuse it."""
    if request.endpoint is None:  # no such URL: let routing answer 404/405
        return None
    rule = access_rule(request.endpoint)
    if rule == PUBLIC:
        return None
    if rule is None:
        current_app.logger.error("route %s declares no access rule; refused", request.endpoint)
        abort(403)
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role not in rule:
        abort(403)
    return None
