"""Leads program services (writes). Views, admin, commands and tasks call these."""

from leads.services.corrections import (
    CorrectionRefused,
    sponsor_correction_approve,
    sponsor_correction_reject,
    sponsor_correction_request,
)
from leads.services.placement import LeadRunResult, PlacedLead, leads_assign

__all__ = [
    "CorrectionRefused",
    "LeadRunResult",
    "PlacedLead",
    "leads_assign",
    "sponsor_correction_approve",
    "sponsor_correction_reject",
    "sponsor_correction_request",
]
