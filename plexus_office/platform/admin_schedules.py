"""Periodic tasks in admin, scoped: a group edits, enables and runs only the schedules it owns.

django-celery-beat's stock admin lets anyone with ``change_periodictask`` edit any row (its task
path, its arguments) and run it: Leads Operations could run "refunds daily" with a future ``as_of``.
Here a non-superuser sees only the rows of ``roles.SCHEDULES_BY_GROUP``, may change only when and
whether they run (never the task path, its arguments or routing), and crontab rows are editable only
when no other group's task uses them, so editing the Leads time never moves another job.
"""

from __future__ import annotations

from django.contrib import admin
from django_celery_beat.admin import CrontabScheduleAdmin, PeriodicTaskAdmin
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from plexus_office.platform.roles import schedulable_tasks

# What a scoped (non-superuser) user may change on a task they own.
SCOPED_EDITABLE = ("enabled", "crontab", "description")


def _crontabs_for(tasks: tuple[str, ...]):
    """Crontab rows that only the given tasks use (or nothing uses yet)."""
    foreign = PeriodicTask.objects.exclude(task__in=tasks).filter(crontab__isnull=False)
    return CrontabSchedule.objects.exclude(pk__in=foreign.values("crontab_id"))


class ScopedPeriodicTaskAdmin(PeriodicTaskAdmin):
    def get_queryset(self, request):
        qs = super().get_queryset(request)
        tasks = schedulable_tasks(request.user)
        return qs if tasks is None else qs.filter(task__in=tasks)

    def _owns(self, request, obj) -> bool:
        tasks = schedulable_tasks(request.user)
        return tasks is None or obj is None or obj.task in tasks

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._owns(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._owns(request, obj)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and schedulable_tasks(request.user) is None

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and schedulable_tasks(request.user) is None

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if schedulable_tasks(request.user) is None:
            return readonly
        for _name, options in self.fieldsets:
            for field in options["fields"]:
                if field not in SCOPED_EDITABLE and field not in readonly and field != "regtask":
                    readonly.append(field)
        return readonly

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if schedulable_tasks(request.user) is None:
            return fieldsets
        # The registered-task picker is a form-only field; scoped users never pick a task.
        return [
            (title, {**options, "fields": tuple(f for f in options["fields"] if f != "regtask")})
            for title, options in fieldsets
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if schedulable_tasks(request.user) is None:
            return form

        class ScopedForm(form):  # type: ignore[misc, valid-type]
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.fields.pop("regtask", None)  # its clean() would replace the task path

        return ScopedForm

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        tasks = schedulable_tasks(request.user)
        if db_field.name == "crontab" and tasks is not None:
            kwargs["queryset"] = _crontabs_for(tasks)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ScopedCrontabScheduleAdmin(CrontabScheduleAdmin):
    def get_queryset(self, request):
        qs = super().get_queryset(request)
        tasks = schedulable_tasks(request.user)
        return qs if tasks is None else qs.filter(pk__in=_crontabs_for(tasks).values("pk"))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        tasks = schedulable_tasks(request.user)
        if not allowed or tasks is None or obj is None:
            return allowed
        return _crontabs_for(tasks).filter(pk=obj.pk).exists()

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and schedulable_tasks(request.user) is None


for model, model_admin in (
    (PeriodicTask, ScopedPeriodicTaskAdmin),
    (CrontabSchedule, ScopedCrontabScheduleAdmin),
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
