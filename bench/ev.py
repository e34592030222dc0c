"""In-process workload (bench/inprocess.py): creating EV charging requests with their schedules through the
API, against the planner alone on the same prices.

The inputs are seed_demo's: demo1's Power customer (100001), its demo charger (AssetId 9100000001,
11 kW) and the car connected to it, and the spot prices stored up to tomorrow. `size` requests are
built in memory before anything is timed: windows of 4 to 12 hours starting two hours from now,
5 to 40 kWh (a fixed pseudo-random sequence), all inside the stored prices.

- real: POST api/customers/100001/evchargingrequests with each body through Django's test Client
  (the whole middleware stack, demo1's Basic login with a warm credential cache): parsing and
  validation, the customer prices of the window (pricing's unit_prices on the cached spot rows),
  the plan, the request and its slots written, the answer rendered.
- baseline: apps.ev.planner.plan for the same windows, demands and charger power, on the customer
  prices of the whole span computed once beforehand (selectors.interval_prices): the planning alone.

prepare() checks that the two sides agree: the API's ChargePlans and EstimatedCost of the first body
are the planner's slots and cost. reset() and finish() delete the requests the real side created.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import random
from decimal import Decimal

from django.test import Client
from django.utils import timezone

from apps.assets.models import Charger
from apps.customers.models import Customer
from apps.ev import planner, selectors
from apps.ev.demo import DEMO_CHARGER_ASSET_ID
from apps.ev.models import EvChargingRequest
from bench.pairs import DEMO_LOGIN, DEMO_POWER_CUSTOMER_ID, utc_text

PATH = f"/api/customers/{DEMO_POWER_CUSTOMER_ID}/evchargingrequests"


def _slots_of_answer(answer: dict) -> list[tuple]:
    return [(p["StartTime"], p["EndTime"], Decimal(str(p["Energy"])), Decimal(str(p["Price"]))) for p in answer]


def _slots_of_plan(plan: planner.Plan) -> list[tuple]:
    return [(utc_text(s.start), utc_text(s.end), s.energy_kwh, s.nok_per_kwh) for s in plan.slots]


class ChargingRequests:
    def __init__(self, size: int, log):
        self.size, self.log = size, log
        self.windows: list[tuple[dt.datetime, dt.datetime, Decimal]] = []
        self.bodies: list[bytes] = []
        self.prices: list[planner.Price] = []
        self.created: list[str] = []
        token = base64.b64encode(":".join(DEMO_LOGIN).encode()).decode()
        self.client = Client(HTTP_AUTHORIZATION=f"Basic {token}", HTTP_HOST="127.0.0.1")

    # --- untimed -------------------------------------------------------------------------------

    def prepare(self) -> None:
        charger = Charger.objects.select_related("asset__delivery_point__contract").filter(
            pk=DEMO_CHARGER_ASSET_ID, asset__delivery_point__contract__customer_id=DEMO_POWER_CUSTOMER_ID
        )
        self.charger = charger.first()
        if self.charger is None or not Customer.objects.filter(pk=DEMO_POWER_CUSTOMER_ID).exists():
            raise RuntimeError("no demo charger of customer 100001: run seed_demo first")
        first = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=2)
        rng = random.Random(20260105)
        for _ in range(self.size):
            start = first + dt.timedelta(hours=rng.randrange(0, 4))
            end = start + dt.timedelta(hours=rng.randrange(4, 13))
            demand = Decimal(rng.randrange(50, 401)) / 10
            self.windows.append((start, end, demand))
            body = {"AssetId": self.charger.pk, "StartTime": utc_text(start), "EndTime": utc_text(end)}
            self.bodies.append(json.dumps({**body, "ChargingDemand": float(demand)}).encode())
        point = self.charger.asset.delivery_point
        span_end = max(end for _start, end, _demand in self.windows)
        self.prices = selectors.interval_prices(contract=point.contract, point=point, from_time=first, to_time=span_end)
        if not self.prices or self.prices[-1].end < span_end:
            raise RuntimeError(f"no prices up to {span_end:%Y-%m-%d %H:%M} UTC: run seed_demo today")
        self._check_agreement()
        self.log(f"  ev-request: {self.size} bodies, {len(self.prices)} price intervals up to {span_end:%d %H:%M} UTC")

    def _check_agreement(self) -> None:
        """The API's schedule of the first body is the planner's on the same prices."""
        for _ in range(5):  # warm: credential cache, connections, imports, the spot-row cache
            answer = self._post(self.bodies[0])
        start, end, demand = self.windows[0]
        expected = planner.plan(
            prices=self.prices, start=start, end=end, demand_kwh=demand, power_kw=self.charger.max_power_kw
        )
        if _slots_of_answer(answer["ChargePlans"]) != _slots_of_plan(expected):
            raise RuntimeError(f"the API planned {answer['ChargePlans']} but the planner {expected.slots}")
        if Decimal(str(answer["EstimatedCost"])) != expected.cost:
            raise RuntimeError(f"the API's cost {answer['EstimatedCost']} is not the planner's {expected.cost}")
        self.reset()

    def _post(self, body: bytes) -> dict:
        response = self.client.post(PATH, body, content_type="application/json")
        if response.status_code != 201:
            raise RuntimeError(f"POST {PATH} answered {response.status_code}: {response.content[:300]!r}")
        answer = json.loads(response.content)
        self.created.append(answer["Id"])
        return answer

    def reset(self) -> None:
        EvChargingRequest.objects.filter(pk__in=self.created).delete()
        self.created = []

    def finish(self) -> None:
        self.reset()

    # --- timed ---------------------------------------------------------------------------------

    def real(self) -> int:
        for body in self.bodies:
            self._post(body)
        return len(self.bodies)

    def baseline(self) -> int:
        power = self.charger.max_power_kw
        for start, end, demand in self.windows:
            planner.plan(prices=self.prices, start=start, end=end, demand_kwh=demand, power_kw=power)
        return len(self.windows)
