"""Reads for My pay."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext

from accounts.models import Account, CommissionKind
from accounts.models_billing import Statement, StatementLine, StatementLineKind


def statements_of(*, account: Account) -> QuerySet[Statement]:
    return Statement.objects.filter(earner=account).order_by("-period", "-id")


def statement_lines(*, statement: Statement) -> list[StatementLine]:
    """The lines, each with ``text``: its description in the reader's language (the stored
    ``description`` is the English written when the period was paid)."""
    lines = list(statement.lines.select_related("entry").order_by("earned_on", "id"))
    for line in lines:
        line.text = line_text(line)  # type: ignore[attr-defined]
    return lines


def line_text(line: StatementLine) -> str:
    kind = line.entry.kind
    if kind not in CommissionKind.values or not line.order_ref:
        return line.description
    label = str(CommissionKind(kind).label)
    if line.kind == StatementLineKind.EARNED:
        return gettext("%(bonus)s on order %(ref)s") % {"bonus": label, "ref": line.order_ref}
    if line.kind == StatementLineKind.REVERSAL:
        return gettext("Reversal of the %(bonus)s on order %(ref)s (refund)") % {
            "bonus": label,
            "ref": line.order_ref,
        }
    return line.description
