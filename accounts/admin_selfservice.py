"""Admin for the self-service models (import this module from accounts/admin.py to register them).

Flags are computed, never typed in: read-only here; staff filter accounts with ``FlagListFilter``.
"""

from django.contrib import admin

from accounts.models_selfservice import AccountFlag, PendingEmailChange


@admin.register(AccountFlag)
class AccountFlagAdmin(admin.ModelAdmin):
    list_display = ("account", "code", "raised_at")
    list_filter = ("code",)
    search_fields = ("account__number", "account__name")
    raw_id_fields = ("account",)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PendingEmailChange)
class PendingEmailChangeAdmin(admin.ModelAdmin):
    list_display = ("account", "new_email", "created_at", "expires_at", "confirmed_at", "cancelled_at")
    search_fields = ("account__number", "new_email", "old_email")
    raw_id_fields = ("account",)
    exclude = ("token_hash",)
    readonly_fields = (
        "account",
        "old_email",
        "new_email",
        "created_at",
        "expires_at",
        "confirmed_at",
        "cancelled_at",
    )

    def has_add_permission(self, request):
        return False
