from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/account")

from . import recovery_views, views  # noqa: E402,F401
