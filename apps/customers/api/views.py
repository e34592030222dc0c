from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound

from esmart.api.area import Area
from esmart.api.authentication import client_ident, verify_credentials
from esmart.api.output import no_body, respond, respond_many, respond_value
from esmart.api.query import AspNetBooleanField, bind_query, query_parameters
from esmart.api.schema import ErrorSerializer
from esmart.api.views import ApiView, NotTenantScoped, PublicApiView

from .. import selectors, services
from ..models import Customer, Feedback
from ..scopes import CONTRACT, CUSTOMER, CUSTOMERS_OF_USER, USER
from .serializers import (
    AppConfigResponseSerializer,
    AssociateResponseSerializer,
    ContractDeliveryPointsResponseSerializer,
    ContractResponseSerializer,
    CustomerImportResponseSerializer,
    CustomerResponseBodySerializer,
    CustomerResponseSerializer,
    DeliveryPointResponseSerializer,
    FeedbackRequestSerializer,
    LoginRequestSimpleSerializer,
    LoginResponseExtendedSerializer,
    PrivilegeSerializer,
    SystemFeedbackRequestSerializer,
    TermsRequestSerializer,
    TermsResponseSerializer,
    TrackingRequestSerializer,
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
        return respond(LoginResponseExtendedSerializer, services.login_for_area(user=user, area=area))


class UserView(ApiView):
    """Get information about a user."""

    tenancy = USER

    def refine_anchor(self, queryset):
        return queryset.prefetch_related("customer_accesses")

    @extend_schema(responses=UserResponseSerializer)
    def get(self, request, userId):
        return respond(UserResponseSerializer, self.anchor)


class UserPrivilegesView(ApiView):
    """The privileges (Django permissions) the user holds, directly or through groups."""

    tenancy = USER

    @extend_schema(responses=PrivilegeSerializer(many=True))
    def get(self, request, userId):
        return respond_many(PrivilegeSerializer, selectors.privileges_of(user=self.anchor))


class CustomerView(ApiView):
    tenancy = CUSTOMER

    @extend_schema(responses=CustomerResponseSerializer, summary="Get a customer.")
    def get(self, request, customerId):
        return respond(CustomerResponseSerializer, self.anchor)

    @extend_schema(
        request=CustomerResponseSerializer,  # the original's body type; CustomerResponseBodySerializer reads it
        responses=CustomerResponseSerializer,
        summary="Partially update a customer.",
        description="Can update PhoneNumber (numbers only, max 14 digits), MobileNumber (numbers only, "
        "max 14 digits) and/or Email (must be a valid address, max 100 characters). Other properties "
        "of the body are ignored; a property that is null or left out keeps its value.",
    )
    def patch(self, request, customerId):
        body = CustomerResponseBodySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        customer = services.update_customer_contact(customer=self.anchor, **body.contact_changes())
        return respond(CustomerResponseSerializer, customer)


# --- contracts and delivery points ----------------------------------------------------------


class CustomerAnchored(ApiView):
    """Views whose path ends at a customer of the caller in the selected area."""

    tenancy = CUSTOMER


class ContractListView(CustomerAnchored):
    @extend_schema(responses=ContractResponseSerializer(many=True), summary="Get a customer's contracts.")
    def get(self, request, customerId):
        contracts = selectors.contracts_of(customer=self.anchor)
        return respond_many(ContractResponseSerializer, contracts)


class ContractView(ApiView):
    tenancy = CONTRACT

    def refine_anchor(self, queryset):
        return queryset.prefetch_related("delivery_points")

    @extend_schema(responses=ContractResponseSerializer, summary="Get one contract for a customer.")
    def get(self, request, customerId, contractNo):
        return respond(ContractResponseSerializer, self.anchor)


class ContractDeliveryPointsQuery(serializers.Serializer):
    include_watt_meter = AspNetBooleanField(default=False, help_text="Add WattMeters: the meters with a watt meter.")
    include_lights_and_heating = AspNetBooleanField(
        default=False, help_text="Add LightsAndHeating: the lights and heating controllers."
    )
    include_ev_charging = AspNetBooleanField(default=False, help_text="Add EvChargers: the EV chargers.")
    include_water_meter = AspNetBooleanField(default=False, help_text="Add WaterMeters: the water meters.")


class ContractDeliveryPointsView(CustomerAnchored):
    @extend_schema(
        parameters=query_parameters(ContractDeliveryPointsQuery),
        responses=ContractDeliveryPointsResponseSerializer(many=True),
        summary="Get a customer's contracts and delivery points.",
        description="Each flag is true or false (any case); anything else is 400. A list that was not asked "
        "for is null.",
    )
    def get(self, request, customerId):
        query = bind_query(request, ContractDeliveryPointsQuery)
        flags = {
            "watt_meters": query["include_watt_meter"],
            "lights_and_heating": query["include_lights_and_heating"],
            "ev_charging": query["include_ev_charging"],
            "water_meters": query["include_water_meter"],
        }
        contracts = selectors.contract_delivery_points_of(customer=self.anchor, **flags)
        return respond_many(ContractDeliveryPointsResponseSerializer, contracts, context={"flags": flags})


class DeliveryPointListView(CustomerAnchored):
    @extend_schema(responses=DeliveryPointResponseSerializer(many=True), summary="Get a customer's delivery points.")
    def get(self, request, customerId):
        points = selectors.delivery_points_of(customer=self.anchor)
        return respond_many(DeliveryPointResponseSerializer, points)


class AssociateListView(CustomerAnchored):
    also_restricts = (CUSTOMERS_OF_USER,)

    @extend_schema(
        responses=AssociateResponseSerializer(many=True),
        summary="Get a list of other customers associated with the given customer.",
        description="The same person in the other area and household members; only customers the caller "
        "also has access to are listed (in either area).",
    )
    def get(self, request, customerId):
        reachable = self.restrict(Customer.objects.all(), through=CUSTOMERS_OF_USER)
        associations = selectors.associates_of(customer=self.anchor, reachable=reachable)
        return respond_many(AssociateResponseSerializer, associations)


class CustomerImportView(CustomerAnchored):
    @extend_schema(
        responses={200: CustomerImportResponseSerializer, 409: ErrorSerializer, 503: ErrorSerializer},
        summary="Refresh the customer's contracts, delivery points and meters from the customer information system.",
        description="Creates and updates rows by contract number, metering point id and meter id, and lists "
        "what changed; a repeated import lists nothing. 409 when the CIS names another customer's rows, "
        "503 when the CIS cannot be read.",
    )
    def get(self, request, customerId):
        result = services.import_customer(customer=self.anchor)
        body = {"customer_id": self.anchor.pk, "found": result.found, "changes": result.changes}
        return respond(CustomerImportResponseSerializer, body)


# --- EULA and terms -------------------------------------------------------------------------


class AppAnchored(CustomerAnchored):
    def app(self):
        return selectors.app_by_short_name(short_name=self.kwargs["appshortname"])


class EulaView(AppAnchored):
    @extend_schema(
        responses=OpenApiTypes.BOOL,
        summary="Has the user accepted the app's EULA for all the customer's assets?",
        description="True when the user has accepted the app's current EULA for every meter of the customer "
        "(also when there is nothing to accept). 404 for an unknown app.",
    )
    def get(self, request, customerId, appshortname):
        return respond_value(selectors.has_accepted_eula(customer=self.anchor, app=self.app(), user=request.user))

    @extend_schema(
        request=None,
        responses={200: None},
        summary="Accept the app's EULA for all assets of the customer.",
    )
    def post(self, request, customerId, appshortname):
        services.accept_eula(customer=self.anchor, app=self.app(), user=request.user)
        return no_body()


class TermsView(AppAnchored):
    @extend_schema(
        responses=TermsResponseSerializer,
        summary="The app's current terms (general, additional) and whether the customer accepted them.",
    )
    def get(self, request, customerId, appshortname):
        status = selectors.terms_status(customer=self.anchor, app=self.app())
        return respond(TermsResponseSerializer, {"accepted": all(s["accepted"] for s in status), "terms": status})

    @extend_schema(
        request=TermsRequestSerializer,
        responses={200: None},
        summary="Accept the app's current general and/or additional terms for the customer.",
        description="Records who accepted which version, and when. 400 when neither is true, or when the app "
        "has no terms of a requested type.",
    )
    def post(self, request, customerId, appshortname):
        body = TermsRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.accept_terms(
            customer=self.anchor,
            app=self.app(),
            user=request.user,
            general=body.validated_data["accept_general_terms"],
            additional=body.validated_data["accept_additional_terms"],
        )
        return no_body()


class ResetTermsView(AppAnchored):
    @extend_schema(
        request=None,
        responses={200: None},
        summary="Make the customer's acceptances of the app's terms and EULA stale (they must be accepted again).",
    )
    def patch(self, request, customerId, appshortname):
        services.reset_terms(customer=self.anchor, app=self.app(), by=request.user)
        return no_body()


# --- feedback, tracking, app configuration --------------------------------------------------


class CustomerFeedbackView(CustomerAnchored):
    @extend_schema(
        request=FeedbackRequestSerializer,
        responses={200: None},
        summary="Send feedback from a customer to the backend.",
        description="Message up to 4000 characters, Rating 1–5 (optional). Support staff answer it in the admin.",
    )
    def post(self, request, customerId):
        body = FeedbackRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.submit_feedback(
            kind=Feedback.Kind.CUSTOMER, user=request.user, customer=self.anchor, **body.validated_data
        )
        return no_body()


def _customer_of_body(view: ApiView, customer_id: int) -> Customer:
    """A CustomerId of a body: one of the caller's customers (any area), through the view's anchor; else 404."""
    customer = view.restrict(Customer.objects.filter(pk=customer_id)).first()
    if customer is None:
        raise NotFound()
    return customer


class CustomerSystemFeedbackView(ApiView):
    tenancy = CUSTOMERS_OF_USER  # the optional CustomerId of the body

    @extend_schema(
        request=SystemFeedbackRequestSerializer,
        responses={200: None, 404: ErrorSerializer},
        summary="Send feedback about the customer system.",
        description="CustomerId is optional; when given it must be one of the caller's customers (else 404).",
    )
    def post(self, request):
        body = SystemFeedbackRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        customer_id = fields.pop("customer_id")
        customer = _customer_of_body(self, customer_id) if customer_id else None
        services.submit_feedback(kind=Feedback.Kind.SYSTEM, user=request.user, customer=customer, **fields)
        return no_body()


class TrackingView(CustomerAnchored):
    @extend_schema(
        request=TrackingRequestSerializer,
        responses={200: None},
        summary="Notify the system that a user is using an app.",
        description="Adds the app's product to each of the customer's current contracts, once; repeating "
        "changes nothing. 400 for an unknown AppName.",
    )
    def post(self, request, customerId):
        body = TrackingRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        app = selectors.known_app(short_name=body.validated_data["app_name"], field="app_name")
        services.track_app_usage(customer=self.anchor, user=request.user, app=app, event=body.validated_data["event"])
        return no_body()


class AppConfigView(ApiView):
    tenancy = NotTenantScoped("an app's configuration is the same for every user of the app")

    @extend_schema(
        responses={200: AppConfigResponseSerializer, 404: ErrorSerializer},
        summary="Get configuration parameters for an app.",
        description="Per parameter the most specific value wins: the build's, then the company's, then the "
        "app's default. Company names match in any case. 404 for an unknown app.",
    )
    def get(self, request, appShortName, companyShortName, build):
        app, parameters = selectors.app_config(
            app_short_name=appShortName, company_short_name=companyShortName, build=build
        )
        body = {
            "app_short_name": app.short_name,
            "company_short_name": companyShortName,
            "build": build,
            "parameters": parameters,
        }
        return respond(AppConfigResponseSerializer, body)
