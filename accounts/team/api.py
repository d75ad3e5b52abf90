"""``/api/v1/team/``: the same tree levels, search and downline report as the pages, in JSON."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django.core.paginator import Paginator
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.history import is_in_downline_on, status_on
from accounts.members import member_or_404
from accounts.models import Account
from accounts.team.asof import BadKey, parse_key
from accounts.team.selectors import (
    PAGE_SIZE,
    children_on,
    keyset_applies,
    report_for,
    report_page_on,
    search_on,
)
from accounts.team.views import _day, _filters


def _root(request: Request) -> Account:
    account = member_or_404(request)
    if not account.is_ambassador or account.is_corporate:
        raise PermissionDenied(_("Only Brand Ambassadors have a team."))
    return account


class TeamTreeView(APIView):
    """The member at the top and one level below ``number`` (default the member), or search hits."""

    @extend_schema(responses=dict)
    def get(self, request: Request, number: int | None = None) -> Response:
        root = _root(request)
        day, problem = _day(request)
        if problem:
            raise ValidationError({"as_of": problem})
        parent = root
        if number is not None and number != root.number:
            found = Account.objects.filter(number=number).first()
            if found is None or not is_in_downline_on(member_id=found.pk, upline_id=root.pk, day=day):
                raise Http404("no such member in your organization on that day")
            parent = found
        level = int(request.query_params.get("level") or 1)
        document: dict[str, Any] = {
            "number": parent.number,
            "as_of": day.isoformat(),
            "status": status_on(parent, day),
            "children": [node.as_dict() for node in children_on(parent=parent, day=day, level=level)],
        }
        term = (request.query_params.get("q") or "").strip()
        if term:
            document["matches"] = [
                {"number": hit.member.number, "path": [step.number for step in hit.path]}
                for hit in search_on(root=root, term=term, day=day)
            ]
        return Response(document)


class TeamReportView(APIView):
    """A page of the downline report with its totals (same filters and sort as the page)."""

    @extend_schema(responses=dict)
    def get(self, request: Request) -> Response:
        root = _root(request)
        day, problem = _day(request)
        filters, errors = _filters(request)
        if problem or errors:
            raise ValidationError({"detail": [problem, *errors] if problem else errors})
        if keyset_applies(day=day, filters=filters):
            return Response(_report_as_of(request, root, day))
        rows, totals, computed_at = report_for(root=root, day=day, filters=filters)
        paginator = Paginator(cast(Any, rows), PAGE_SIZE)  # a list, or today's lazy report
        page = paginator.get_page(request.query_params.get("page"))
        return Response(
            {
                "number": root.number,
                "as_of": day.isoformat(),
                "count": paginator.count,
                "volumes_computed_at": computed_at.isoformat(),
                "page": page.number,
                "pages": page.paginator.num_pages,
                "totals": {
                    "members": totals.members,
                    "by_kind": totals.by_kind,
                    "new_this_month": totals.new_this_month,
                    "active_subscriptions": totals.active_subscriptions,
                },
                "results": [row.as_dict() for row in page],
            }
        )


def _report_as_of(request: Request, root: Account, day: date) -> dict[str, Any]:
    """A past day in tree order: a page by keys (``after``/``before``: account numbers from the first
    level joined by "-"), with no count, totals or group volume (accounts/team/asof.py)."""
    keys: dict[str, Any] = {}
    for name in ("after", "before"):
        try:
            keys[name] = parse_key(request.query_params.get(name, ""))
        except BadKey:
            raise ValidationError({name: _("expected account numbers joined by “-”")}) from None
    try:
        page, rows = report_page_on(root=root, day=day, **keys)
    except BadKey:
        raise ValidationError({"detail": _("That place was not in this organization on that day.")}) from None
    return {
        "number": root.number,
        "as_of": day.isoformat(),
        "count": None,
        "volumes_computed_at": None,
        "page": None,
        "pages": None,
        "next": page.next_key or None,
        "previous": page.previous_key or None,
        "totals": None,
        "results": [row.as_dict() for row in rows],
    }


class TeamTreeMemberView(TeamTreeView):
    """One level below a member of the organization (the tree expanded on demand)."""

    @extend_schema(responses=dict, operation_id="v1_team_tree_member_retrieve")
    def get(self, request: Request, number: int | None = None) -> Response:
        return super().get(request, number)
