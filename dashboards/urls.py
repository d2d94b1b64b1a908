from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("plans/<slug:slug>/", views.plan_detail, name="plan"),
    path("plans/<slug:slug>/indicators/<str:code>/", views.indicator_detail, name="indicator"),
    path("compare/", views.comparison_index, name="comparison_index"),
    path("compare/<slug:key>/", views.comparison, name="comparison"),
    path("departments/", views.department_index, name="department_index"),
    path("departments/<int:pk>/", views.department, name="department"),
]
