"""Public enrollment pages, mounted at ``/join/`` (no login)."""

from django.urls import path

from accounts.enrollment import views

app_name = "enrollment"

urlpatterns = [
    path("", views.start, name="start"),
    path("done/", views.done, name="done"),
    path("step/<str:step>/", views.step, name="step"),
    path("<int:number>/", views.start, name="link"),
]
