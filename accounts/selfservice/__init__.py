"""Self-service writes of Account Services (profile, email, newsletter, cards, dropship).

Every service is keyword-only, takes the acting user, runs under ``transaction.atomic`` with the
account row locked, records an audit entry (field names, never secret values) and refreshes the
account's flags in the same transaction.
"""

from accounts.selfservice.cards import card_add, card_remove, card_set_default, subscription_card_set
from accounts.selfservice.common import SelfServiceError
from accounts.selfservice.orders import dropship_order_create
from accounts.selfservice.profile import (
    account_info_confirm,
    account_profile_update,
    email_change_confirm,
    email_change_request,
    newsletter_set,
)

__all__ = [
    "SelfServiceError",
    "account_info_confirm",
    "account_profile_update",
    "card_add",
    "card_remove",
    "card_set_default",
    "dropship_order_create",
    "email_change_confirm",
    "email_change_request",
    "newsletter_set",
    "subscription_card_set",
]
