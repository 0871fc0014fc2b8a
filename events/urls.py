from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("events/", views.EventListView.as_view(), name="list"),
    path("events/<slug:slug>/", views.EventDetailView.as_view(), name="detail"),
    path("events/<slug:event_slug>/programme/", views.ProgrammeView.as_view(), name="programme"),
    path("events/<slug:event_slug>/programme.ics", views.programme_ics, name="programme_ics"),
    path(
        "events/<slug:event_slug>/sub-forums/<slug:slug>/",
        views.SubForumDetailView.as_view(),
        name="sub_forum",
    ),
    path("events/<slug:event_slug>/speakers/", views.SpeakerListView.as_view(), name="speakers"),
    path("events/<slug:event_slug>/exhibits/", views.ExhibitListView.as_view(), name="exhibits"),
    path(
        "events/<slug:event_slug>/exhibits/<slug:slug>/",
        views.ExhibitDetailView.as_view(),
        name="exhibit",
    ),
    path("events/<slug:event_slug>/documents/", views.DocumentListView.as_view(), name="documents"),
    path(
        "events/<slug:event_slug>/documents/<slug:slug>/",
        views.DocumentDetailView.as_view(),
        name="document",
    ),
    path(
        "events/<slug:event_slug>/documents/<slug:slug>/file.pdf",
        views.document_file,
        name="document_file",
    ),
]
