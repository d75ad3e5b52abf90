"""``/api/v1/team/``: the same tree levels, search and downline report as the pages, in JSON."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django.core.paginator import Paginator
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
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

AS_OF = OpenApiParameter(
    "as_of", str, description="A past day (YYYY-MM-DD): the organization as it stood then."
)
TREE_PARAMETERS = [
    AS_OF,
    OpenApiParameter("level", int, description="The level of the listed children below the top (from 1)."),
    OpenApiParameter(
        "q", str, description="A name or account number: the matches with their path from the top."
    ),
]
REPORT_PARAMETERS = [
    AS_OF,
    OpenApiParameter(
        "page", int, description="Page number, from 1 (today, or a past day with filters or a sort)."
    ),
    OpenApiParameter(
        "after", str, description="A past day in tree order: the page after this key (from `next`)."
    ),
    OpenApiParameter(
        "before", str, description="A past day in tree order: the page before this key (`previous`)."
    ),
    OpenApiParameter("level", int, description="Only members at this level below you (from 1)."),
    OpenApiParameter(
        "kind", str, description="Only this kind of member (ambassador, vip_customer, retail_customer)."
    ),
    OpenApiParameter("activity", str, description="Only active, inactive or neither (the clearing rules)."),
    OpenApiParameter("new", str, description="1: only members who joined this month."),
    OpenApiParameter("leads", str, description="1: only leads placed with you."),
    OpenApiParameter("sort", str, description="A column, with '-' for descending (default: tree order)."),
]


def _root(request: Request) -> Account:
    account = member_or_404(request)
    if not account.is_ambassador or account.is_corporate:
        raise PermissionDenied(_("Only Brand Ambassadors have a team."))
    return account


class TeamTreeView(APIView):
    """The member at the top and one level below ``number`` (default the member), or search hits."""

    @extend_schema(responses=dict, parameters=TREE_PARAMETERS)
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
        raw_level = (request.query_params.get("level") or "1").strip()
        if not (raw_level.isdigit() and len(raw_level) <= 3 and int(raw_level) >= 1):
            raise ValidationError(
                {
                    "level": _("level: expected a whole number >= 1, got %(value)s")
                    % {"value": repr(raw_level)}
                }
            )
        level = int(raw_level)
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

    @extend_schema(responses=dict, parameters=REPORT_PARAMETERS)
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

    @extend_schema(responses=dict, parameters=TREE_PARAMETERS, operation_id="v1_team_tree_member_retrieve")
    def get(self, request: Request, number: int | None = None) -> Response:
        return super().get(request, number)
