"""Member pages: "Clear inactive members" (search the downline) and the clear request form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from accounts.genealogy import is_in_downline
from accounts.members import request_member
from accounts.models import Account
from clearing.forms import ClearRequestForm, DownlineSearchForm
from clearing.selectors import clear_requests_of, downline_search
from clearing.services import ClearRefused, clear_request_submit, kind_for
from plexus_office.platform.errors import form_add_refusal
from plexus_office.platform.l10n import day_text


def _can_request(account: Account | None) -> bool:
    return account is not None and account.is_ambassador and not account.is_corporate


@login_required
def home(request):
    account = request_member(request)
    form = DownlineSearchForm(request.GET or None)
    context = {"account": account, "form": form, "allowed": _can_request(account)}
    status = 200
    if context["allowed"]:
        search, page = "", 1
        if form.is_bound:
            if form.is_valid():
                search = form.cleaned_data["q"] or ""
                page = form.cleaned_data["page"] or 1
            else:
                status = 400
        members, has_next = downline_search(account=account, search=search, page=page)
        context.update(
            members=members,
            search=search,
            page=page,
            has_next=has_next,
            requests=clear_requests_of(requester=account)[:20],
        )
    return TemplateResponse(request, "clearing/home.html", context, status=status)


@login_required
def request_form(request, number: int):
    account = request_member(request)
    if account is None or not _can_request(account):
        return TemplateResponse(
            request, "clearing/home.html", {"account": account, "allowed": False}, status=403
        )
    member = Account.objects.filter(number=number).first()
    # Someone outside the requester's downline is reported as missing: its existence is not disclosed.
    if member is None or not is_in_downline(member_id=member.pk, upline_id=account.pk):
        raise Http404("no such member in your downline")
    members, _more = downline_search(account=account, search=str(member.number))
    row = next((m for m in members if m.account.pk == member.pk), None)
    form = ClearRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = clear_request_submit(
                requester=account, member=member, reason=form.cleaned_data["reason"], actor=request.user
            )
        except ClearRefused as refusal:
            form_add_refusal(form, refusal)
        else:
            messages.success(
                request,
                _(
                    "%(kind)s #%(request)s sent for %(name)s (#%(number)s). "
                    "Customer Service will process it by %(due)s."
                )
                % {
                    "kind": made.get_kind_display(),
                    "request": made.pk,
                    "name": member.name,
                    "number": member.number,
                    "due": day_text(made.due_on),
                },
            )
            return redirect("clearing:home")
    context = {"account": account, "member": member, "row": row, "form": form, "kind": kind_for(member)}
    return TemplateResponse(
        request, "clearing/request_form.html", context, status=400 if form.errors else 200
    )
