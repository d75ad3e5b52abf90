from django.urls import path

from clearing import views

app_name = "clearing"
urlpatterns = [
    path("", views.home, name="home"),
    path("request/<int:number>/", views.request_form, name="request"),
]
