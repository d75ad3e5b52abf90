"""The project's URLs plus a QueueAdmin for the test-only DemoRequest on the same admin site."""

from django.contrib import admin
from django.urls import path

from plexus_office.platform.admin import QueueAdmin
from tests.platform.queue_model import DemoRequest


class DemoRequestAdmin(QueueAdmin):
    list_display = ("id", "title", "status", "due", "assignee")
    note_required_transitions = ("reject",)


if not admin.site.is_registered(DemoRequest):
    admin.site.register(DemoRequest, DemoRequestAdmin)

from plexus_office.urls import urlpatterns as _project  # noqa: E402

# Our admin entry first: it is built after the registration above, so it includes DemoRequest.
urlpatterns = [path("admin/", admin.site.urls), *_project]
