from flask import Blueprint

bp = Blueprint("learning", __name__)

from . import cards, views  # noqa: E402,F401
