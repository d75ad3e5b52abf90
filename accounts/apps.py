from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Members and genealogy"

    def ready(self) -> None:
        # The platform's outbox reports a permanent bounce through a hook; accounts owns the flag.
        # The inbox badge finds the member through the request-scoped lookup the pages use.
        from accounts.flags import account_email_hard_bounced  # noqa: PLC0415 - models load after ready()
        from accounts.members import request_member  # noqa: PLC0415 - same
        from plexus_office.platform.context_processors import member_resolver_register  # noqa: PLC0415
        from plexus_office.platform.outbox import hard_bounce_hook_register  # noqa: PLC0415 - same

        hard_bounce_hook_register(account_email_hard_bounced)
        member_resolver_register(request_member)
