from django.urls import path

from . import views

app_name = "delegates"

urlpatterns = [
    path("events/<slug:event_slug>/register/", views.RegisterView.as_view(), name="register"),
    path("me/", views.MyRegistrationsView.as_view(), name="me"),
    path("me/profile/", views.ProfileView.as_view(), name="profile"),
    path("me/<slug:event_slug>/cancel/", views.CancelView.as_view(), name="cancel"),
    path("me/<slug:event_slug>/badge.pdf", views.my_badge, name="badge"),
    path("me/<slug:event_slug>/consent/", views.ConsentView.as_view(), name="consent"),
]
