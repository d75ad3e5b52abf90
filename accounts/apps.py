from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Members and genealogy"

    def ready(self) -> None:
        # The platform's outbox reports a permanent bounce through a hook; accounts owns the flag.
        from accounts.flags import account_email_hard_bounced  # noqa: PLC0415 - models load after ready()
        from plexus_office.platform.outbox import hard_bounce_hook_register  # noqa: PLC0415 - same

        hard_bounce_hook_register(account_email_hard_bounced)
