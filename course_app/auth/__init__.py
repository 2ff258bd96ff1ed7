from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/account")

from . import views  # noqa: E402,F401
