from django.urls import path

from innobridge.targets import views

app_name = "targets"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("reports/", views.report_list, name="reports"),
    path("reports/<int:pk>/<str:fmt>/", views.report_file, name="report_file"),
    path("<int:year>/funnels/<slug:name>/<slug:step>/", views.funnel_records, name="funnel"),
    path("<int:year>/<slug:key>/", views.target_records, name="records"),
    path("<int:year>/<slug:key>/manual/", views.manual_figure, name="manual"),
]
