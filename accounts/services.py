"""Account and genealogy services: every sponsor change goes through ``sponsor_change``."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import User
from django.db import transaction

from accounts.genealogy import SponsorLoopError, would_create_loop
from accounts.models import Account, SponsorChangeReason, Sponsorship
from plexus_office import clock


def sponsor_change(
    *,
    account: Account,
    new_sponsor: Account | None,
    reason: str,
    actor: User | None,
    personal: bool = False,
    on: date | None = None,
) -> Account:
    """Move ``account`` under ``new_sponsor`` (None removes it from the genealogy).

    Closes the open history period and opens a new one, both dated ``on``; refuses a loop.
    The caller holds the transaction; the account row is locked here.
    """
    if reason not in SponsorChangeReason.values:
        raise ValueError(f"unknown sponsor change reason {reason!r}")
    day = clock.today(on)
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        if new_sponsor is not None and would_create_loop(account_id=locked.pk, new_sponsor_id=new_sponsor.pk):
            raise SponsorLoopError(
                f"account {locked.number}: sponsor {new_sponsor.number} is the account or in its downline"
            )
        Sponsorship.objects.filter(account=locked, valid_to__isnull=True).update(valid_to=day, end_reason=reason)
        user = actor if actor is not None and getattr(actor, "pk", None) else None
        if new_sponsor is not None:
            Sponsorship.objects.create(
                account=locked, sponsor=new_sponsor, valid_from=day, reason=reason, personal=personal,
                created_by=user,
            )
        Account.objects.filter(pk=locked.pk).update(
            sponsor=new_sponsor, personally_enrolled=personal,
            listed_under_2_on=day if new_sponsor is not None and new_sponsor.number == 2 else None,
        )
        locked.refresh_from_db()
        account.sponsor = locked.sponsor
        account.personally_enrolled = locked.personally_enrolled
        account.listed_under_2_on = locked.listed_under_2_on
        return locked
