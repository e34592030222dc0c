"""factory-boy factories for the ownership chain."""

import datetime as dt

import factory

from apps.customers.models import Contract, Customer, CustomerAccess, DeliveryPoint, Meter, User
from esmart.api.area import Area

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save(update_fields=["password"])


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    area = Area.POWER
    first_name = "Kari"
    last_name = factory.Sequence(lambda n: f"Nordmann{n}")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    phone_number = factory.Sequence(lambda n: f"2{n:07d}")
    mobile_number = factory.Sequence(lambda n: f"9{n:07d}")
    birth_date = dt.date(1980, 5, 17)
    address_text = "Storgata 1"
    zip_code = "0150"
    city = "Oslo"


class CustomerAccessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerAccess

    user = factory.SubFactory(UserFactory)
    customer = factory.SubFactory(CustomerFactory)


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    customer = factory.SubFactory(CustomerFactory)
    contract_no = factory.Sequence(lambda n: 7_000_000 + n)
    ledger_no = factory.Sequence(lambda n: 9_000 + n)
    product = Contract.Product.POWER
    start_date = dt.date(2020, 1, 1)


class DeliveryPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliveryPoint

    contract = factory.SubFactory(ContractFactory)
    name = "Home"
    metering_point_id = factory.Sequence(lambda n: f"707057500{n:09d}")
    price_area = DeliveryPoint.PriceArea.NO1


class MeterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meter

    delivery_point = factory.SubFactory(DeliveryPointFactory)
    meter_id = factory.Sequence(lambda n: f"M{n:08d}")
    meter_no = factory.Sequence(lambda n: f"AMS{n:06d}")
