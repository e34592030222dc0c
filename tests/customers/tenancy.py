"""Valid values of the customers app's path parameters for an Owner (used by the tenancy matrix).

customerId and contractNo come from the Owner; the app routes need an app that exists, else they
answer 404 for the owner too, so the free app/company/build parameters are given here as well.
"""

from .factories import AppFactory, TermsVersionFactory


def owned_values(owner) -> dict[str, object]:
    app = AppFactory(short_name="smartliv")
    TermsVersionFactory(app=app)
    return {"appshortname": app.short_name, "appShortName": app.short_name, "companyShortName": "demo", "build": "1"}
