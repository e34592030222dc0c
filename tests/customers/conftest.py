import pytest

from apps.customers.models import TermsType

from .factories import AppFactory, TermsVersionFactory


@pytest.fixture
def app(db):
    """An app with published general, additional and EULA terms (version 1 each)."""
    app = AppFactory(short_name="smartliv", product_code="SMARTLIV")
    for terms_type in TermsType:
        TermsVersionFactory(app=app, terms_type=terms_type, version=1)
    return app
