"""Flask extensions, created unbound here and bound to the app in ``create_app``."""

from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

bootstrap = Bootstrap5()
csrf = CSRFProtect()
# No default limits: only the routes that need throttling declare one.
limiter = Limiter(key_func=get_remote_address)
login_manager = LoginManager()
migrate = Migrate()
