"""Autoship: the member's subscription page services and the monthly charging job.

Public entry points (``charging``): ``subscription_charges_run`` (the beat job),
``subscription_charge_month`` (charge one subscription for one month now, e.g. at enrollment) and
``subscription_charge_retry`` (a fixed card charges the declined month at once). Member edits are
in ``services``.
"""
