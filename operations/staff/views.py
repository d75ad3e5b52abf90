"""Staff pages in the admin: member lookup, the read-only member page with its service log, and
adding a contact note. Thin views over ``accounts.lookup``, ``member``, ``service_log`` and
``services``; mounted under ``/admin/staff/`` and wrapped by ``admin.site.admin_view`` (staff login).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.lookup import member_lookup
from accounts.models import Account
from operations.models import ContactChannel
from operations.staff.member import member_page
from operations.staff.service_log import KINDS, service_log
from operations.staff.services import NOTE_MAX_CHARS, contact_note_add
from plexus_office.platform.errors import Refused

LOOK_UP = "operations.look_up_member"
ADD_NOTE = "operations.add_contactnote"


class ContactNoteForm(forms.Form):
    channel = forms.ChoiceField(choices=ContactChannel.choices, initial=ContactChannel.PHONE)
    text = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        max_length=NOTE_MAX_CHARS,
        help_text="What the member asked and what you did or promised.",
    )


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _context(request, **extra):
    return {**admin.site.each_context(request), **extra}


def member_search(request):
    _require(request, LOOK_UP)
    term = request.GET.get("q", "")
    result = member_lookup(term=term) if term.strip() else None
    if result is not None and len(result.accounts) == 1 and not result.more and result.kind != "name":
        # A number, email or phone that names one member opens the member directly.
        return HttpResponseRedirect(reverse("staff:member_detail", args=[result.accounts[0].number]))
    return render(
        request,
        "admin/staff/member_search.html",
        _context(request, title="Find a member", term=term, result=result),
    )


def _account(number: int) -> Account:
    account = Account.objects.select_related("sponsor", "user").filter(number=number).first()
    if account is None:
        raise Http404(f"no account #{number}")
    return account


def _page_number(raw: str) -> int:
    return int(raw) if raw.isdigit() and 0 < int(raw) < 10_000 else 1


def member_detail(request, number: int, form: ContactNoteForm | None = None):
    _require(request, LOOK_UP)
    account = _account(number)
    log = service_log(
        account=account, kind=request.GET.get("kind", ""), page=_page_number(request.GET.get("page", "1"))
    )
    can_note = request.user.has_perm(ADD_NOTE)
    return render(
        request,
        "admin/staff/member_detail.html",
        _context(
            request,
            title=f"Member #{account.number} {account.name}",
            page=member_page(account=account),
            account=account,
            log=log,
            kinds=KINDS,
            note_form=(form or ContactNoteForm()) if can_note else None,
            can_view_refunds=request.user.has_perm("refunds.view_refund"),
            can_view_clearing=request.user.has_perm("clearing.view_clearrequest"),
            can_view_corrections=request.user.has_perm("leads.view_sponsorcorrection"),
        ),
        status=400 if form is not None else 200,
    )


@require_POST
def member_note_add(request, number: int):
    _require(request, ADD_NOTE)
    account = _account(number)
    form = ContactNoteForm(request.POST)
    if not form.is_valid():
        return member_detail(request, number, form=form)
    try:
        contact_note_add(
            account=account,
            channel=form.cleaned_data["channel"],
            text=form.cleaned_data["text"],
            actor=request.user,
        )
    except Refused as refusal:
        form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        return member_detail(request, number, form=form)
    messages.success(request, "Note added to the service log.")
    return HttpResponseRedirect(reverse("staff:member_detail", args=[account.number]) + "#service-log")
