from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from esmart.api.area import Area
from esmart.api.authentication import client_ident, verify_credentials
from esmart.api.schema import ErrorSerializer
from esmart.api.views import ApiView, PublicApiView

from .. import selectors, services
from ..models import Customer, User
from ..scopes import CustomerScope, UserScope
from .serializers import (
    CustomerPatchSerializer,
    CustomerResponseSerializer,
    LoginRequestSimpleSerializer,
    LoginResponseExtendedSerializer,
    PrivilegeSerializer,
    UserResponseSerializer,
)


@method_decorator(sensitive_post_parameters("password", "Password"), name="dispatch")
class AuthenticateView(PublicApiView):
    """Authenticate a user with username and password as JSON in the request body."""

    @extend_schema(
        request=LoginRequestSimpleSerializer,
        responses={
            200: LoginResponseExtendedSerializer,
            401: ErrorSerializer,
            410: ErrorSerializer,
            429: ErrorSerializer,
        },
        auth=[],
        description="401 for wrong credentials, 410 when the user has no customer in the area, "
        "429 after repeated failures from one address.",
    )
    def post(self, request):
        login = LoginRequestSimpleSerializer(data=request.data)
        login.is_valid(raise_exception=True)
        user = verify_credentials(
            username=login.validated_data["user_name"],
            password=login.validated_data["password"],
            ident=client_ident(request),
        )
        area = Area(login.validated_data["area"])
        return Response(LoginResponseExtendedSerializer(services.login_for_area(user=user, area=area)).data)


class UserView(ApiView):
    """Get information about a user."""

    anchor_model = User
    anchor_scope = UserScope()
    anchor_lookups = {"userId": "pk"}

    def refine_anchor(self, queryset):
        return queryset.prefetch_related("customer_accesses")

    @extend_schema(responses=UserResponseSerializer)
    def get(self, request, userId):
        return Response(UserResponseSerializer(self.anchor).data)


class UserPrivilegesView(ApiView):
    """The privileges (Django permissions) the user holds, directly or through groups."""

    anchor_model = User
    anchor_scope = UserScope()
    anchor_lookups = {"userId": "pk"}

    @extend_schema(responses=PrivilegeSerializer(many=True))
    def get(self, request, userId):
        return Response(PrivilegeSerializer(selectors.privileges_of(user=self.anchor), many=True).data)


class CustomerView(ApiView):
    anchor_model = Customer
    anchor_scope = CustomerScope(customer_path="")
    anchor_lookups = {"customerId": "pk"}

    @extend_schema(responses=CustomerResponseSerializer, summary="Get a customer.")
    def get(self, request, customerId):
        return Response(CustomerResponseSerializer(self.anchor).data)

    @extend_schema(
        request=CustomerPatchSerializer,
        responses=CustomerResponseSerializer,
        summary="Partially update a customer.",
        description="Can update PhoneNumber (numbers only, max 14 digits), MobileNumber (numbers only, "
        "max 14 digits) and/or Email (must be a valid address, max 100 characters). Other properties "
        "of the body are ignored.",
    )
    def patch(self, request, customerId):
        changes = CustomerPatchSerializer(data=request.data)
        changes.is_valid(raise_exception=True)
        customer = services.update_customer_contact(customer=self.anchor, **changes.validated_data)
        return Response(CustomerResponseSerializer(customer).data)
