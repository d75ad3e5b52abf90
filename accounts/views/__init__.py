from accounts.views.cards import card_default, card_delete, card_new, card_subscription, cards
from accounts.views.dashboard import dashboard, inbox, inbox_read
from accounts.views.profile import (
    cancel,
    dropship,
    email_change,
    email_confirm,
    info_confirm,
    newsletter,
    personal,
)

__all__ = [
    "cancel",
    "card_default",
    "card_delete",
    "card_new",
    "card_subscription",
    "cards",
    "dashboard",
    "dropship",
    "email_change",
    "email_confirm",
    "inbox",
    "inbox_read",
    "info_confirm",
    "newsletter",
    "personal",
]
