"""Rows for regulators: completions and the CE Broker roster, as pure functions over completion records.

CE Broker's roster upload (help.cebroker.com, "Creating Excel Files (Full Course Credit)") reads columns by
position, without a header: A provider tracking number without "50-", B course tracking number without
"20-", or C the provider's own course id, D publishing number (optional), E license number, F completion
date (12/3/2008), G "State=FL", H "Profession=OT".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Iterable, Mapping

from ..certificates.transcript import safe_cell

US_STATE = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class Completion:
    """One valid module certificate, with the learner's contact details at export time."""

    participant_name: str
    email: str
    credential: str
    license_number: str | None
    license_state: str | None
    module_id: str
    module_title: str
    contact_hours: Decimal
    ceus: Decimal
    completed_on: date
    code: str
    ceus_claimed: bool = False  # frozen on the certificate: the provider was approved when it was issued


def normalize_license(number: str | None) -> str:
    """Return a license number as CE Broker matches it: spaces and dashes removed, letters upper-case."""
    return re.sub(r"[\s\-‐-―]+", "", number or "").upper()


def strip_prefix(number: str, prefix: str) -> str:
    """Drop CE Broker's fixed prefix ("50-" for providers, "20-" for courses) and surrounding blanks."""
    number = number.strip()
    return number[len(prefix):].strip() if number.startswith(prefix) else number


def us_date(day: date) -> str:
    """Write a date the way CE Broker's sample does: month/day/year without leading zeros."""
    return f"{day.month}/{day.day}/{day.year}"


def completion_row(c: Completion) -> list[str]:
    """Return one completions-CSV row; CEUs only where the certificate claims them (approved provider)."""
    return [safe_cell(v) for v in (
        c.participant_name, c.email, c.credential, c.license_number or "", c.license_state or "", c.module_id,
        c.module_title, f"{c.contact_hours:g}", f"{c.ceus:g}" if c.ceus_claimed else "", c.completed_on.isoformat(),
        c.code)]


COMPLETION_HEADER = ["name", "email", "credential", "license_number", "license_state", "module_id", "module",
                     "contact_hours", "ceus", "completion_date", "certificate_code"]


@dataclass(frozen=True)
class RosterSettings:
    provider_number: str  # CE Broker provider tracking number, "50-" optional
    course_numbers: Mapping[str, str]  # module id -> CE Broker course tracking number, "20-" optional
    professions: Mapping[str, str]  # credential (OTR/L, COTA/L, ...) -> CE Broker profession code


def missing_for_roster(c: Completion, settings: RosterSettings) -> str | None:
    """Say what keeps a completion off the CE Broker roster, or None when it can go on."""
    if not normalize_license(c.license_number):
        return "no license number"
    if not US_STATE.match((c.license_state or "").upper()):
        return "no license state"
    if c.credential not in settings.professions:
        return f"no CE Broker profession code for credential '{c.credential}'"
    return None


def roster_row(c: Completion, settings: RosterSettings) -> list[str]:
    """Return the eight CE Broker columns for one completion (A to H)."""
    course_number = settings.course_numbers.get(c.module_id, "")
    return [safe_cell(v) for v in (
        strip_prefix(settings.provider_number, "50-"),
        strip_prefix(course_number, "20-"),
        "" if course_number else c.module_id,  # the provider's own course id stands in for a course number
        "",
        normalize_license(c.license_number),
        us_date(c.completed_on),
        f"State={(c.license_state or '').upper()}",
        f"Profession={settings.professions[c.credential]}")]


def roster_states(completions: Iterable[Completion], settings: RosterSettings) -> dict[str, int]:
    """Count, per license state, the completions that can go on a roster."""
    counts: dict[str, int] = {}
    for c in completions:
        if missing_for_roster(c, settings) is None:
            state = (c.license_state or "").upper()
            counts[state] = counts.get(state, 0) + 1
    return dict(sorted(counts.items()))


MISSING_HEADER = ["problem", "name", "email", "credential", "license_number", "license_state", "module_id",
                  "completion_date", "certificate_code"]


def missing_row(c: Completion, problem: str) -> list[str]:
    return [safe_cell(v) for v in (problem, c.participant_name, c.email, c.credential, c.license_number or "",
                                   c.license_state or "", c.module_id, c.completed_on.isoformat(), c.code)]
