"""My team: the tree (one level per request), search with the path, the downline report and its CSV,
as of any past day. Members see their own organization; Customer Service and Leads Operations open
any member's, read-only, from the member's admin page."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any, cast

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.history import is_in_downline_on, status_on
from accounts.models import Account, AccountKind
from accounts.selectors import Activity
from accounts.team.asof import BadKey, parse_key
from accounts.team.selectors import (
    PAGE_SIZE,
    REPORT_COLUMNS,
    SORT_KEYS,
    ReportFilters,
    children_on,
    csv_lines,
    keyset_applies,
    report_for,
    report_page_on,
    search_on,
)
from accounts.team.today import TodayReport
from accounts.views.common import member_view
from plexus_office import clock
from plexus_office.commands import EARLIEST_DAY, LATEST_DAY, date_in_range_error
from plexus_office.platform.l10n import day_text

STAFF_PERMISSION = "accounts.view_sponsorship"  # Customer Service and Leads Operations (sponsor history)


def _day(request: HttpRequest) -> tuple[date, str]:
    """The as-of day from ``?as_of=`` (default today) and a message when it was unusable."""
    raw = (request.GET.get("as_of") or "").strip()
    today = clock.today()
    if not raw:
        return today, ""
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return today, _("as_of: %(value)s is not a date (YYYY-MM-DD); showing today.") % {"value": repr(raw)}
    if date_in_range_error(day, field="as_of"):
        return today, _("as_of: date %(day)s is out of range (%(first)s to %(last)s); showing today.") % {
            "day": day_text(day),
            "first": day_text(EARLIEST_DAY),
            "last": day_text(LATEST_DAY),
        }
    if day > today:
        return today, _("as_of: a future day cannot be shown; showing today.")
    return day, ""


def _staff_root(request: HttpRequest, number: int) -> Account:
    if not request.user.has_perm(STAFF_PERMISSION):
        raise PermissionDenied
    return get_object_or_404(Account, number=number)


def _clear_url(number: int) -> str:
    try:
        return reverse("clearing:request", args=[number])
    except NoReverseMatch:
        return ""


def _tree(request: HttpRequest, root: Account, *, staff: bool) -> HttpResponse:
    day, problem = _day(request)
    term = (request.GET.get("q") or "").strip()
    context: dict[str, Any] = {
        "root": root,
        "day": day,
        "as_of": request.GET.get("as_of", ""),
        "problem": problem,
        "staff": staff,
        "root_status": status_on(root, day),
        "children": children_on(parent=root, day=day),
        "term": term,
        "hits": search_on(root=root, term=term, day=day) if term else [],
        "base": request.path,
    }
    return TemplateResponse(request, "accounts/team/tree.html", context, status=400 if problem else 200)


def _children(request: HttpRequest, root: Account, number: int) -> HttpResponse:
    """One level below ``number`` (an HTML fragment the tree inserts)."""
    day, _problem = _day(request)
    parent = Account.objects.filter(number=number).first()
    if parent is None or (
        parent.pk != root.pk and not is_in_downline_on(member_id=parent.pk, upline_id=root.pk, day=day)
    ):
        raise Http404("no such member in this organization on that day")
    level = int(request.GET.get("level") or 1)
    context = {"children": children_on(parent=parent, day=day, level=level), "level": level}
    return TemplateResponse(request, "accounts/team/_children.html", context)


def _filters(request: HttpRequest) -> tuple[ReportFilters, list[str]]:
    errors: list[str] = []
    level = None
    raw_level = (request.GET.get("level") or "").strip()
    if raw_level:
        if raw_level.isdigit() and int(raw_level) >= 1:
            level = int(raw_level)
        else:
            message = _("level: expected a whole number >= 1, got %(value)s")
            errors.append(message % {"value": repr(raw_level)})
    kind = request.GET.get("kind") or ""
    if kind and kind not in AccountKind.values:
        errors.append(
            _("kind: %(value)s is not one of %(choices)s")
            % {"value": repr(kind), "choices": ", ".join(AccountKind.values)}
        )
        kind = ""
    activity = request.GET.get("activity") or ""
    if activity and activity not in (Activity.ACTIVE, Activity.INACTIVE, Activity.NEITHER):
        message = _("activity: %(value)s is not one of active, inactive, neither")
        errors.append(message % {"value": repr(activity)})
        activity = ""
    sort = request.GET.get("sort") or "tree"
    descending = sort.startswith("-")
    sort = sort.lstrip("-")
    if sort not in SORT_KEYS:
        errors.append(_("sort: unknown column %(value)s") % {"value": repr(sort)})
        sort, descending = "tree", False
    filters = ReportFilters(
        level=level,
        kind=kind,
        activity=activity,
        joined_this_month=request.GET.get("new") == "1",
        leads_placed_with_me=request.GET.get("leads") == "1",
        sort=sort,
        descending=descending,
    )
    return filters, errors


CSV_PIECE = 1 << 16


def _csv(rows: Iterable[Any], root: Account, day: date) -> StreamingHttpResponse:
    # The export is a data file: English column names and codes in every language, like the API. The
    # header is made now: the lines are written after the view returned, outside its language.
    with translation.override("en"):
        header = [str(label) for _name, label in REPORT_COLUMNS]

    def lines() -> Iterator[str]:
        if isinstance(rows, TodayReport):
            # Today: the facts joined from the rollup, no reason texts (accounts/team/export.py).
            body: Iterator[list[Any]] = rows.csv_lines()
        else:
            body = csv_lines(rows)
            next(body)  # its header, in the reader's language
        # Sent in pieces of about 64 kB, not one per line: constant memory, few writes to the socket.
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        for line in body:
            writer.writerow(line)
            if buffer.tell() >= CSV_PIECE:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="downline-{root.number}-{day.isoformat()}.csv"'
    return response


def _report(request: HttpRequest, root: Account, *, staff: bool) -> HttpResponse | StreamingHttpResponse:
    day, problem = _day(request)
    filters, errors = _filters(request)
    if request.GET.get("format") != "csv" and keyset_applies(day=day, filters=filters):
        return _report_as_of(request, root, day=day, filters=filters, problem=problem, staff=staff)
    rows, totals, computed_at = report_for(root=root, day=day, filters=filters)
    if request.GET.get("format") == "csv" and not errors:
        return _csv(rows, root, day)
    # A list, or today's lazy report (counted and sliced in SQL).
    page = Paginator(cast(Any, rows), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = request.GET.copy()
    sort_query.pop("sort", None)
    sort_query.pop("page", None)
    context = {
        "root": root,
        "day": day,
        "as_of": request.GET.get("as_of", ""),
        "problem": problem,
        "errors": errors,
        "staff": staff,
        "page": page,
        "rows": [(row, _clear_url(row.member.number) if _clearable(row, staff) else "") for row in page],
        "totals": totals,
        "columns": REPORT_COLUMNS,
        "filters": filters,
        "query": query.urlencode(),
        "sort_query": sort_query.urlencode(),
        "kinds": AccountKind.choices,
        "computed_at": computed_at,
    }
    status = 400 if (problem or errors) else 200
    return TemplateResponse(request, "accounts/team/report.html", context, status=status)


def _report_as_of(
    request: HttpRequest, root: Account, *, day: date, filters: ReportFilters, problem: str, staff: bool
) -> HttpResponse:
    """A past day in tree order: a page by keys ("next" after the last row, "previous" before the
    first), without count, totals or group volume (accounts/team/asof.py)."""
    errors: list[str] = []
    keys: dict[str, Any] = {}
    for name in ("after", "before"):
        try:
            keys[name] = parse_key(request.GET.get(name, ""))
        except BadKey:
            errors.append(
                _("%(field)s: expected account numbers joined by “-”; showing the first page.")
                % {"field": name}
            )
    try:
        page, rows = report_page_on(root=root, day=day, after=keys.get("after"), before=keys.get("before"))
    except BadKey:
        errors.append(_("That place was not in this organization on that day; showing the first page."))
        page, rows = report_page_on(root=root, day=day)
    query = request.GET.copy()
    for name in ("page", "after", "before"):
        query.pop(name, None)
    context = {
        "root": root,
        "day": day,
        "problem": problem,
        "errors": errors,
        "staff": staff,
        "as_of": request.GET.get("as_of", ""),
        "keyset": page,
        "rows": [(row, _clear_url(row.member.number) if _clearable(row, staff) else "") for row in rows],
        "columns": REPORT_COLUMNS,
        "filters": filters,
        "query": query.urlencode(),
        "sort_query": query.urlencode(),
        "kinds": AccountKind.choices,
    }
    status = 400 if (problem or errors) else 200
    return TemplateResponse(request, "accounts/team/report.html", context, status=status)


def _clearable(row: Any, staff: bool) -> bool:
    return (
        not staff
        and row.member.status == "active"
        and row.facts.get("activity") == Activity.INACTIVE
        and row.member.kind in AccountKind.values
    )


def _member_root(request: HttpRequest) -> Account:
    account: Account = request.account  # type: ignore[attr-defined]
    if not account.is_ambassador or account.is_corporate:
        raise PermissionDenied(_("Only Brand Ambassadors have a team."))
    return account


@member_view
def tree(request: HttpRequest) -> HttpResponse:
    return _tree(request, _member_root(request), staff=False)


@member_view
def children(request: HttpRequest, number: int) -> HttpResponse:
    return _children(request, _member_root(request), number)


@member_view
def report(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    return _report(request, _member_root(request), staff=False)


@staff_member_required
def staff_tree(request: HttpRequest, number: int) -> HttpResponse:
    return _tree(request, _staff_root(request, number), staff=True)


@staff_member_required
def staff_children(request: HttpRequest, number: int, child: int) -> HttpResponse:
    return _children(request, _staff_root(request, number), child)


@staff_member_required
def staff_report(request: HttpRequest, number: int) -> HttpResponse | StreamingHttpResponse:
    return _report(request, _staff_root(request, number), staff=True)
