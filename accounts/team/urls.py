from django.urls import path

from accounts.team import views

app_name = "team"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("children/<int:number>/", views.children, name="children"),
    path("report/", views.report, name="report"),
    path("staff/<int:number>/", views.staff_tree, name="staff_tree"),
    path("staff/<int:number>/children/<int:child>/", views.staff_children, name="staff_children"),
    path("staff/<int:number>/report/", views.staff_report, name="staff_report"),
]
