"""Cookie, header and proxy settings that every response needs."""

from flask import Flask, abort, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.urls import iri_to_uri

# No inline scripts anywhere; inline styles are allowed because Bootstrap's
# components set style attributes from their own JavaScript.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class SessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions whose cookie is marked Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app) -> bool:
        """Return True when configured so, or when this request is HTTPS."""
        return super().get_cookie_secure(app) or request.is_secure


def add_security_headers(response):
    """Set the security headers on a response, keeping any a view set itself."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def refuse_nul_characters() -> None:
    """Answer 400 to a request whose path, query or form holds a NUL character.

    No text a person types has one, and PostgreSQL cannot store or compare it:
    a NUL in any field or search would otherwise fail the request with a 500.
    The API checks its own parameters and bodies, and names the bad one.
    """
    if request.path.startswith("/api/"):
        return
    pairs = list(request.args.items(multi=True))
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        pairs += request.form.items(multi=True)
    if "\x00" in request.path or any("\x00" in key + value for key, value in pairs):
        abort(400)


def safe_redirect(app: Flask):
    """Return the app's ``redirect`` with its target made a valid URI first.

    A target built from user input (a "back" field, a saved query) may hold a
    line break: Werkzeug refuses it in the Location header, so the request would
    fail. ``iri_to_uri`` drops line breaks and percent-encodes what a URI cannot carry.
    """
    plain = app.redirect

    def redirect(location: str, code: int = 302):
        return plain(iri_to_uri(location), code)

    return redirect


def init_security(app) -> None:
    """Install the session interface, the headers, the safe redirect and, if configured, the proxy fix."""
    app.session_interface = SessionInterface()
    app.after_request(add_security_headers)
    app.before_request(refuse_nul_characters)
    # flask.redirect() calls app.redirect: every view's redirect goes through it.
    app.redirect = safe_redirect(app)
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        # Behind a reverse proxy, trust its X-Forwarded-* headers so that
        # HTTPS and client addresses (used for throttling) are seen correctly.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
