"""Reads for My pay."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Account
from accounts.models_billing import Statement, StatementLine


def statements_of(*, account: Account) -> QuerySet[Statement]:
    return Statement.objects.filter(earner=account).order_by("-period", "-id")


def statement_lines(*, statement: Statement) -> list[StatementLine]:
    return list(statement.lines.order_by("earned_on", "id"))
