"""Account and genealogy services: every sponsor change goes through ``sponsor_change`` (one account)
or ``sponsor_change_many`` (set-based: lead placement, clearing roll-ups)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from accounts.enrollment.services import member_enroll
from accounts.flags import flags_refresh
from accounts.genealogy import SponsorLoopError, would_create_loop
from accounts.models import (
    CORPORATE_SPONSOR_NUMBER,
    Account,
    AccountStatus,
    EnrollmentChannel,
    SponsorChangeReason,
    Sponsorship,
    Subscription,
    SubscriptionStatus,
)
from accounts.paths import descendants_move, nested, new_path_sql, parents_among, segment_sql, subtree_move
from plexus_office import clock
from plexus_office.platform.actors import actor_user
from plexus_office.platform.audit import AuditAction, audit_record
from plexus_office.platform.errors import Refused
from plexus_office.platform.notifications import notify


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
        Sponsorship.objects.filter(account=locked, valid_to__isnull=True).update(
            valid_to=day, end_reason=reason
        )
        user = actor_user(actor)
        if new_sponsor is not None:
            Sponsorship.objects.create(
                account=locked,
                sponsor=new_sponsor,
                valid_from=day,
                reason=reason,
                personal=personal,
                created_by=user,
            )
        Account.objects.filter(pk=locked.pk).update(
            sponsor=new_sponsor,
            personally_enrolled=personal,
            listed_under_2_on=day
            if new_sponsor is not None and new_sponsor.number == CORPORATE_SPONSOR_NUMBER
            else None,
        )
        subtree_move(
            old_path=locked.path,
            old_depth=locked.depth,
            number=locked.number,
            new_sponsor_id=new_sponsor.pk if new_sponsor is not None else None,
        )
        locked.refresh_from_db()
        account.sponsor = locked.sponsor
        account.personally_enrolled = locked.personally_enrolled
        account.listed_under_2_on = locked.listed_under_2_on
        account.path, account.depth = locked.path, locked.depth
        return locked


MOVE_BATCH = 5000


def sponsor_change_many(
    *, moves: Sequence[tuple[int, int]], reason: str, actor: User | None, on: date | None = None
) -> int:
    """Move many accounts at once, ``(account_id, new_sponsor_id)`` each, with ``sponsor_change``'s
    invariants: the open period closed with ``reason``, a new (non-personal) period opened, the
    account's current sponsor moved and its listing under "2" set or cleared.

    Set-based, in batches of ``MOVE_BATCH``: three statements per batch, whatever its size. The caller
    holds the transaction and the row locks, and has ruled out loops (a lead goes to a sponsor outside
    its downline; a roll-up goes to the cleared member's own sponsor).
    """
    if reason not in SponsorChangeReason.values:
        raise ValueError(f"unknown sponsor change reason {reason!r}")
    day = clock.today(on)
    user = actor_user(actor)
    moved_ids = {a for a, _s in moves}
    parents = parents_among(sorted(moved_ids))
    if nested(parents=parents, sponsor_ids=[s for _a, s in moves], moved_ids=moved_ids):
        # A new sponsor moves too (or sits below a moved account): one move after the other, each
        # seeing the tree the previous ones left.
        for account_id, sponsor_id in moves:
            sponsor_change(
                account=Account.objects.get(pk=account_id),
                new_sponsor=Account.objects.get(pk=sponsor_id),
                reason=reason,
                actor=actor,
                on=day,
            )
        return len(moves)
    if connection.vendor == "postgresql":
        _sponsor_change_many_sql(moves=moves, reason=reason, user_id=user.pk if user else None, day=day)
        descendants_move(parents)
        return len(moves)
    table = connection.ops.quote_name(Account._meta.db_table)
    new_path, new_depth = new_path_sql(account=table, sponsor_id="moved.new_sponsor_id")
    for start in range(0, len(moves), MOVE_BATCH):
        batch = moves[start : start + MOVE_BATCH]
        Sponsorship.objects.filter(account_id__in=[a for a, _s in batch], valid_to__isnull=True).update(
            valid_to=day, end_reason=reason
        )
        Sponsorship.objects.bulk_create(
            Sponsorship(
                account_id=account_id,
                sponsor_id=sponsor_id,
                valid_from=day,
                reason=reason,
                personal=False,
                created_by=user,
            )
            for account_id, sponsor_id in batch
        )
        # UPDATE ... FROM (VALUES ...): bulk_update's CASE per row grows badly at thousands of rows.
        values = ", ".join(["(%s, %s)"] * len(batch))
        sql = (
            f"WITH moved(account_id, new_sponsor_id) AS (VALUES {values}) "  # noqa: S608 - placeholders
            f"UPDATE {table} SET sponsor_id = moved.new_sponsor_id, personally_enrolled = %s, "
            f"listed_under_2_on = CASE WHEN moved.new_sponsor_id = "
            f"(SELECT id FROM {table} WHERE number = %s) THEN %s ELSE NULL END, "
            f"path = {new_path}, depth = {new_depth} "
            f"FROM moved WHERE {table}.id = moved.account_id"
        )
        params: list[Any] = [value for pair in batch for value in pair]
        params += [False, CORPORATE_SPONSOR_NUMBER, day]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    descendants_move(parents)
    return len(moves)


def _sponsor_change_many_sql(
    *, moves: Sequence[tuple[int, int]], reason: str, user_id: int | None, day: date
) -> None:
    """PostgreSQL form of ``sponsor_change_many``: the moves travel as two arrays and the history and
    the move are written by three statements, whatever the count (no model instance per move).

    The account UPDATE sets ``sponsor_id``, ``personally_enrolled``, ``listed_under_2_on`` and the
    moved account's own path and depth (from its new sponsor's row); the caller rewrites the paths
    below moved accounts that have a downline (``accounts.paths.descendants_move``).
    """
    accounts = [a for a, _s in moves]
    sponsors = [s for _a, s in moves]
    account_table = connection.ops.quote_name(Account._meta.db_table)
    history = connection.ops.quote_name(Sponsorship._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {history} SET valid_to = %s, end_reason = %s "  # noqa: S608 - names from _meta
            f"WHERE account_id = ANY(%s::bigint[]) AND valid_to IS NULL",
            [day, reason, accounts],
        )
        cursor.execute(
            f"INSERT INTO {history} (account_id, sponsor_id, valid_from, valid_to, reason, end_reason, "  # noqa: S608
            f"personal, created_by_id, created_at) "
            f"SELECT m.account_id, m.sponsor_id, %s, NULL, %s, '', false, %s, %s "
            f"FROM unnest(%s::bigint[], %s::bigint[]) AS m(account_id, sponsor_id)",
            [
                day,
                reason,
                user_id,
                timezone.now(),
                accounts,
                sponsors,
            ],  # created_at is auto_now_add: wall clock
        )
        cursor.execute(
            f"UPDATE {account_table} AS a SET sponsor_id = m.sponsor_id, personally_enrolled = false, "  # noqa: S608
            f"listed_under_2_on = CASE WHEN m.sponsor_id = "
            f"(SELECT id FROM {account_table} WHERE number = %s) THEN %s::date ELSE NULL END, "
            f"path = COALESCE(s.path, '') || {segment_sql('a.number')}, depth = COALESCE(s.depth + 1, 0) "
            f"FROM unnest(%s::bigint[], %s::bigint[]) AS m(account_id, sponsor_id) "
            f"LEFT JOIN {account_table} s ON s.id = m.sponsor_id WHERE a.id = m.account_id",
            [CORPORATE_SPONSOR_NUMBER, day, accounts, sponsors],
        )


def account_cancel(*, account: Account, actor: User, reason: str) -> Account:
    """The holder cancels their own membership: the account is cancelled and its subscription ends.

    Only the holder may do this (business-rules §4: staff cannot cancel for them; clearing is the
    separate, staff-run path). Flags close with the account.
    """

    if actor is None or not getattr(actor, "pk", None) or account.user_id != actor.pk:
        raise PermissionDenied("Only the account holder can cancel their membership.")
    note = (reason or "").strip()[:200]
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        if locked.status != AccountStatus.ACTIVE:
            raise ValueError(f"account {locked.number}: already cancelled")
        locked.cancel()
        locked.cancelled_at = clock.now()
        locked.cancel_reason = note
        locked.save(update_fields=["status", "cancelled_at", "cancel_reason"])
        live = Subscription.objects.filter(account=locked).exclude(status=SubscriptionStatus.CANCELLED)
        ended = live.update(status=SubscriptionStatus.CANCELLED, ended_on=clock.today())
        audit_record(
            actor=actor,
            obj=locked,
            action=AuditAction.MEMBERSHIP_CANCELLED,
            note=note,
            changes={
                "status": (AccountStatus.ACTIVE, locked.status),
                **({"subscription": ("active", "cancelled")} if ended else {}),
            },
        )
        notify(
            recipient=locked,
            event="accounts_membership_cancelled",
            context={"account": locked, "reason": note},
        )
        flags_refresh(account=locked)
    account.refresh_from_db()  # the caller's copy: a protected state field is refreshed, never assigned
    return locked


def account_enroll(
    *,
    kind: str,
    sponsor: Account,
    name: str,
    email: str,
    country: str,
    enrolled_on: date | None = None,
    actor: User | None,
    personal: bool = True,
) -> Account:
    """Enroll a new member under ``sponsor`` (staff and tests): ``accounts.enrollment``'s service.

    Refusals come back as ``ValidationError`` naming the field, so existing callers keep their shape;
    new code calls ``accounts.enrollment.services.member_enroll`` and gets ``Refused`` codes.
    """

    if not personal:
        raise ValueError("an enrollment is always personal; lead placement moves accounts afterwards")
    try:
        return member_enroll(
            kind=kind,
            name=name,
            email=email,
            country=country,
            sponsor_number=sponsor.number if sponsor is not None else None,
            as_of=enrolled_on,
            actor=actor,
            channel=EnrollmentChannel.STAFF,
        )
    except Refused as refusal:
        raise ValidationError({refusal.field or "__all__": refusal.message}) from None
