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
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["account_id"]

    def __str__(self) -> str:
        return f"#{self.account_id} {self.month:%Y-%m}: group PV {self.group_pv}"
