from flask import Blueprint

bp = Blueprint("certificates", __name__)

from . import credential_views, views  # noqa: E402,F401
