from esmart.api.routing import api_path

from . import views

ASSIGNMENT = "assignments/<int:assignmentId>"
USER = "users/<int:userId>"
NEXT_OF_KIN = "nextofkin/<int:id>"
CLIENT = "clients/<int:clientId>"

urlpatterns = [
    api_path(f"{USER}/assignments", views.UserAssignmentsView.as_view(), name="user-assignments"),
    api_path(ASSIGNMENT, views.AssignmentView.as_view(), name="assignment"),
    api_path(f"{USER}/{ASSIGNMENT}", views.UserAssignmentView.as_view(), name="user-assignment"),
    api_path(f"{CLIENT}/assignments", views.ClientAssignmentsView.as_view(), name="client-assignments"),
    api_path(
        f"{USER}/clients/<int:clientId>/assignments",
        views.UserClientAssignmentsView.as_view(),
        name="user-client-assignments",
    ),
    api_path(f"{ASSIGNMENT}/assign/<int:toUserId>", views.AssignView.as_view(), name="assignment-assign"),
    api_path(f"{ASSIGNMENT}/action/<str:type>", views.ActionView.as_view(), name="assignment-action"),
    api_path(f"{ASSIGNMENT}/comment", views.CommentView.as_view(), name="assignment-comment"),
    api_path(f"{USER}/collaborators", views.UserCollaboratorsView.as_view(), name="user-collaborators"),
    api_path(
        f"{USER}/client/<int:clientId>/collaborators",
        views.UserClientCollaboratorsView.as_view(),
        name="user-client-collaborators",
    ),
    api_path("client/<int:clientId>/collaborators", views.ClientNextOfKinView.as_view(), name="client-next-of-kin"),
    api_path("equipment", views.AvailableEquipmentView.as_view(), name="equipment"),
    api_path(f"{CLIENT}/equipment", views.ClientEquipmentView.as_view(), name="client-equipment"),
    api_path(f"{CLIENT}/equipmentinfo", views.ClientEquipmentInfoView.as_view(), name="client-equipment-info"),
    api_path(f"{CLIENT}/equipment/<int:equipmentId>", views.ClientKitView.as_view(), name="client-kit"),
    api_path(
        f"{CLIENT}/equipment/<int:equipmentId>/{ASSIGNMENT}",
        views.ClientKitAssignmentView.as_view(),
        name="client-kit-assignment",
    ),
    api_path("equipmentcontacts", views.EquipmentContactsView.as_view(), name="equipment-contacts"),
    api_path(f"{NEXT_OF_KIN}/terms", views.NextOfKinTermsView.as_view(), name="next-of-kin-terms"),
    api_path(f"{NEXT_OF_KIN}/usercode/<str:code>", views.NextOfKinUserCodeView.as_view(), name="next-of-kin-code"),
    api_path(f"{NEXT_OF_KIN}/acceptterms", views.NextOfKinAcceptTermsView.as_view(), name="next-of-kin-accept"),
]
