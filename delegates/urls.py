from django.urls import path

from . import delegation_views, letter_views, views

app_name = "delegates"

urlpatterns = [
    path("events/<slug:event_slug>/register/", views.RegisterView.as_view(), name="register"),
    path("me/", views.MyRegistrationsView.as_view(), name="me"),
    path("me/profile/", views.ProfileView.as_view(), name="profile"),
    path("me/delegations/<int:pk>/", delegation_views.DelegationDetailView.as_view(), name="delegation"),
    path(
        "me/delegations/<int:pk>/members/add/",
        delegation_views.DelegationMemberAddView.as_view(),
        name="delegation_member_add",
    ),
    path(
        "me/delegations/<int:pk>/members/<int:member>/edit/",
        delegation_views.DelegationMemberEditView.as_view(),
        name="delegation_member_edit",
    ),
    path(
        "me/delegations/<int:pk>/members/<int:member>/replace/",
        delegation_views.DelegationMemberReplaceView.as_view(),
        name="delegation_member_replace",
    ),
    path(
        "me/delegations/<int:pk>/members/<int:member>/cancel/",
        delegation_views.DelegationMemberCancelView.as_view(),
        name="delegation_member_cancel",
    ),
    path("me/letters/<str:reference>/", letter_views.my_letter, name="my_letter"),
    path("letters/<str:token>/", letter_views.verify_letter, name="letter_verify"),
    path("me/<slug:event_slug>/cancel/", views.CancelView.as_view(), name="cancel"),
    path("me/<slug:event_slug>/badge.pdf", views.my_badge, name="badge"),
    path("me/<slug:event_slug>/consent/", views.ConsentView.as_view(), name="consent"),
]
