"""Deleting a cleared member's removed cards at the gateway: the service behind the clearing task.

Its own module so that ``clearing.tasks`` imports it while ``clearing.services`` imports the tasks
(to queue them on commit) without an import loop.
"""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from accounts.models import Account, AccountStatus, SavedCard
from clearing.models import ClearRequest, ClearStatus
from plexus_office.platform.gateway import get_gateway


def cleared_cards_delete_at_gateway(*, account_id: int) -> int:
    """Delete a cleared member's removed cards at the gateway (idempotent; the gateway call is safe
    to repeat). Runs outside any transaction of ours, as a real gateway call must. Returns the count.
    """
    account = Account.objects.filter(pk=account_id).first()
    # Never touch the cards of a live account: a stray message for it does nothing.
    if account is None or account.status != AccountStatus.CANCELLED:
        return 0
    tokens = list(
        SavedCard.objects.filter(account_id=account_id, removed_at__isnull=False).values_list(
            "token", flat=True
        )
    )
    gateway = get_gateway()
    for token in tokens:
        gateway.delete_card(token=token)  # a GatewayError propagates: the task retries
    ClearRequest.objects.filter(
        member_id=account_id, status=ClearStatus.CLEARED, cards_deleted_at__isnull=True
    ).update(cards_deleted_at=timezone.now(), version=F("version") + 1)  # wall clock: when it really happened
    return len(tokens)
