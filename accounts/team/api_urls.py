from django.urls import path

from accounts.team.api import TeamReportView, TeamTreeMemberView, TeamTreeView

urlpatterns = [
    path("tree/", TeamTreeView.as_view(), name="api_team_tree"),
    path("tree/<int:number>/", TeamTreeMemberView.as_view(), name="api_team_tree_member"),
    path("report/", TeamReportView.as_view(), name="api_team_report"),
]
