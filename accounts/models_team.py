"""The team rollup: each member's group volume and downline this month, refreshed by a beat job
(accounts.team.rollup.team_rollup_refresh), read by the downline report with its "as of" time."""

from __future__ import annotations

from django.db import models


class TeamRollup(models.Model):
    """One member's organization as the last refresh found it (everyone below them, any depth)."""

    account = models.OneToOneField(
        "accounts.Account", primary_key=True, on_delete=models.CASCADE, related_name="team_rollup"
    )
    month = models.DateField(help_text="First day of the month the volumes are for.")
    personal_pv = models.PositiveIntegerField(default=0)
    group_pv = models.BigIntegerField(default=0, help_text="PV this month of the member and everyone below.")
    downline = models.PositiveIntegerField(default=0)
    ambassadors = models.PositiveIntegerField(default=0)
    vip_customers = models.PositiveIntegerField(default=0)
    retail_customers = models.PositiveIntegerField(default=0)
    new_this_month = models.PositiveIntegerField(default=0)
    active_subscriptions = models.PositiveIntegerField(default=0)
    # The member's own facts the report's CSV needs, as of the refresh's day: with them the export is
    # one join by primary key instead of four aggregates per member (accounts/team/export.py).
    pv_last_month = models.BigIntegerField(default=0, help_text="PV of the member's own orders last month.")
    last_order_on = models.DateField(null=True, blank=True)
    last_fee_paid_on = models.DateField(null=True, blank=True)
    paid_rank_last_month = models.PositiveSmallIntegerField(null=True, blank=True)
    # The sponsor then and how the member joined them (the open sponsorship period): the export uses
    # them while the account's sponsor is still this one and no period was opened since.
    sponsor_id_then = models.BigIntegerField(null=True, blank=True)
    sponsor_number = models.BigIntegerField(null=True, blank=True)
    sponsor_reason = models.CharField(max_length=20, blank=True)
    personal = models.BooleanField(default=False)
    # The member's place in tree (path) order at the refresh: a member's organization then is the
    # rows after its own, ``downline`` of them, written in that order so the export reads them as a
    # range of this index instead of the whole table (accounts/team/export.py).
    tree_order = models.BigIntegerField(default=0, db_index=True)
    # The highest ids of orders, fee payments, paid ranks and sponsorship periods the refresh had
    # seen: rows recorded since (higher ids, the few of the last half hour) are read by the export
    # and applied on top, so its facts are exact between refreshes.
    orders_through = models.BigIntegerField(default=0)
    fees_through = models.BigIntegerField(default=0)
    paid_ranks_through = models.BigIntegerField(default=0)
    sponsorships_through = models.BigIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["account_id"]

    def __str__(self) -> str:
        return f"#{self.account_id} {self.month:%Y-%m}: group PV {self.group_pv}"
