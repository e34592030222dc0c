from esmart.api.routing import api_path

from . import views

C = "customers/<int:customerId>"
# The messages routes' customerId is a string in the original (contract.md): documented so, matched as digits.
M = "customers/<digits:customerId>/messages"
urlpatterns = [
    api_path(f"{C}/push/<str:appShortName>", views.CustomerPushView.as_view()),
    api_path(f"{C}/push/<str:appShortName>/send", views.CustomerSendView.as_view()),
    api_path(f"{C}/push/<str:appShortName>/<uuid:registrationId>", views.CustomerRegistrationView.as_view()),
    api_path("apps/<str:appShortName>/push", views.AppPushView.as_view()),
    api_path("apps/<str:appShortName>/push/send", views.AppSendView.as_view()),
    api_path("apps/<str:appShortName>/push/<uuid:registrationId>", views.AppRegistrationView.as_view()),
    api_path("apps/<str:appShortName>/push/<uuid:registrationId>/tags", views.AppRegistrationTagsView.as_view()),
    api_path(M, views.MessagesView.as_view()),
    api_path(f"{M}/count", views.MessageCountView.as_view()),
    api_path(f"{M}/state", views.MessageStatesView.as_view()),
    api_path(f"{M}/<int:messageId>", views.MessageView.as_view()),
    api_path("emailconfigs/tree/<int:userId>", views.EmailConfigTreeView.as_view()),
    api_path("emailconfigs/admin/<int:userId>", views.EmailConfigAdminView.as_view()),
    api_path("emailconfigs/<int:userId>", views.EmailConfigView.as_view()),
    api_path("communication/twiliotoken", views.TwilioTokenView.as_view()),
    api_path("communication/videotoken/<int:userId>", views.VideoTokenView.as_view()),
    api_path("communication/callcenter", views.CallCenterView.as_view()),
    api_path("communication/log", views.ClientLogView.as_view()),
    api_path("communication/completeroom", views.CompleteRoomView.as_view()),
    api_path("TwilioMessage", views.TwilioMessageView.as_view()),
]
