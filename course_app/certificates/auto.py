"""Issue a module's certificate the moment its last requirement is met, whichever one that is."""
from __future__ import annotations

from pathlib import Path

from flask import current_app, flash

from ..completion import certificate_ready
from ..content import Course, Module
from ..learning.progress import learner_states
from ..models import Certificate, User, utcnow
from .audit import module_record
from .issuance import current_certificate, issue, local_date, module_subject


def issue_when_ready(user: User, module: Module, course: Course) -> Certificate | None:
    """Issue the certificate if everything is done and none exists yet (a revoked one is never replaced)."""
    if user.email_confirmed_at is None:  # issue 11: certificates go only to a confirmed address
        return None
    state = learner_states(user.id, [module])[module.id]
    if state.certificate_code or not certificate_ready(module, state):
        return None
    if current_certificate(user.id, "module", module.id) is not None:
        return None
    record = module_record(user.id, module, course, state, Path(current_app.config["CONTENT_ROOT"]))
    certificate = issue(user, module_subject(module), course, local_date(utcnow()), record)
    flash(f"Everything for “{module.title}” is done: your certificate is ready under My certificates.", "success")
    return certificate
