from django.urls import path

from refunds import views

app_name = "refunds"
urlpatterns = [
    path("", views.home, name="home"),
    path("sales/", views.sales, name="sales"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/label/", views.label, name="label"),
]
