"""Staff workspace pages, mounted at ``/admin/staff/`` (namespace ``staff``)."""

from django.contrib import admin
from django.urls import path

from operations.staff import views

app_name = "staff"


def _staff(view):
    return admin.site.admin_view(view)


urlpatterns = [
    path("members/", _staff(views.member_search), name="member_search"),
    path("members/<int:number>/", _staff(views.member_detail), name="member_detail"),
    path("members/<int:number>/notes/", _staff(views.member_note_add), name="member_note_add"),
]
