"""Staff groups and the helper app migrations use to grant them permissions."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.management import create_permissions

CUSTOMER_SERVICE = "Customer Service"
RETURNS = "Returns"
FINANCE = "Finance"
LEADS_OPERATIONS = "Leads Operations"
STAFF_GROUPS = (CUSTOMER_SERVICE, RETURNS, FINANCE, LEADS_OPERATIONS)


def grant_permissions(apps, group_name: str, perms: Iterable[str]) -> None:
    """For data migrations: give ``group_name`` the permissions ``"app_label.codename"``.

    Creates the app's permissions first (they normally appear only after post_migrate), so a
    migration can grant permissions of models created earlier in the same migrate run.
    """
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=group_name)
    for perm in perms:
        app_label, codename = perm.split(".", 1)
        permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
        group.permissions.add(permission)


def member_of(*group_names: str):
    """A django-fsm-2 transition ``permission=`` callable: superusers, or staff in one of the groups.

    ``@transition(field=status, source="requested", target="approved",
    permission=member_of(CUSTOMER_SERVICE))``. The user's group names are read once per request
    (cached on the user object), so a page with several buttons costs one query.
    """
    allowed = frozenset(group_names)

    def check(instance, user) -> bool:
        if user is None or not getattr(user, "is_active", False) or not getattr(user, "is_staff", False):
            return False
        if user.is_superuser:
            return True
        names = getattr(user, "_plexus_group_names", None)
        if names is None:
            names = frozenset(user.groups.values_list("name", flat=True))
            user._plexus_group_names = names
        return bool(names & allowed)

    check.__name__ = f"member_of({', '.join(sorted(allowed))})"
    return check


# The beat tasks each group may edit, enable/disable and run from admin (by task path: the platform
# never imports a program). Superusers manage every schedule; a group not listed here manages none.
SCHEDULES_BY_GROUP: dict[str, tuple[str, ...]] = {
    LEADS_OPERATIONS: ("leads.tasks.assign_leads_task",),
}


def schedulable_tasks(user) -> tuple[str, ...] | None:
    """The task paths ``user`` may manage in admin; None means all of them (superusers)."""
    if user is None or not getattr(user, "is_active", False) or not getattr(user, "is_staff", False):
        return ()
    if user.is_superuser:
        return None
    names = set(user.groups.values_list("name", flat=True))
    return tuple(sorted({task for group in names for task in SCHEDULES_BY_GROUP.get(group, ())}))
