from django.urls import path

from . import staff_actions, staff_views

app_name = "staff"

urlpatterns = [
    path("", staff_views.StaffHomeView.as_view(), name="home"),
    path(
        "<slug:event_slug>/registrations/", staff_views.RegistrationListView.as_view(), name="registrations"
    ),
    path(
        "<slug:event_slug>/registrations/export.csv",
        staff_views.export_registrations,
        {"file_format": "csv"},
        name="export_csv",
    ),
    path(
        "<slug:event_slug>/registrations/export.xlsx",
        staff_views.export_registrations,
        {"file_format": "xlsx"},
        name="export_xlsx",
    ),
    path(
        "<slug:event_slug>/registrations/<int:pk>/",
        staff_actions.StaffRegistrationView.as_view(),
        name="registration",
    ),
    path(
        "<slug:event_slug>/registrations/<int:pk>/edit/",
        staff_actions.StaffRegistrationEditView.as_view(),
        name="registration_edit",
    ),
    path(
        "<slug:event_slug>/registrations/<int:pk>/cancel/",
        staff_actions.cancel_for_delegate,
        name="registration_cancel",
    ),
    path(
        "<slug:event_slug>/registrations/<int:pk>/undo-check-in/",
        staff_actions.undo_check_in,
        name="registration_undo_check_in",
    ),
    path(
        "<slug:event_slug>/registrations/<int:pk>/reissue-badge/",
        staff_actions.reissue_badge,
        name="registration_reissue_badge",
    ),
    path("<slug:event_slug>/dashboard/", staff_views.DashboardView.as_view(), name="dashboard"),
    path("<slug:event_slug>/protocol/", staff_views.ProtocolListView.as_view(), name="protocol"),
    path(
        "<slug:event_slug>/protocol.xlsx",
        staff_views.protocol_file,
        {"file_format": "xlsx"},
        name="protocol_xlsx",
    ),
    path(
        "<slug:event_slug>/protocol.pdf",
        staff_views.protocol_file,
        {"file_format": "pdf"},
        name="protocol_pdf",
    ),
    path("<slug:event_slug>/badges.pdf", staff_views.print_badges, name="badges"),
    path("<slug:event_slug>/check-in/", staff_views.CheckInDeskView.as_view(), name="check_in"),
    path("<slug:event_slug>/check-in/counts.json", staff_views.desk_counts_json, name="check_in_counts"),
    path("<slug:event_slug>/import/", staff_views.ImportView.as_view(), name="import"),
    path("<slug:event_slug>/import/template.csv", staff_views.import_template, name="import_template"),
    path("<slug:event_slug>/presets/", staff_views.save_preset, name="save_preset"),
    path("<slug:event_slug>/presets/<int:pk>/delete/", staff_views.delete_preset, name="delete_preset"),
]
