from django.apps import AppConfig


class OperationsConfig(AppConfig):
    # The operations tooling sits above the programs: demo seeding, scenario loading, demo logins and
    # the commands that span programs. Nothing below it imports it.
    name = "operations"
    verbose_name = "Operations tooling"
