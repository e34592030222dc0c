"""Two staff acting on one assignment at once: the row lock lets exactly one conflicting move win."""

import threading

import pytest
from django.db import connection, connections

from apps.assignments.models import Assignment, AssignmentLogEntry, LogKind
from apps.assignments.states import State

from .conftest import client_for, make_team

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks and real concurrency"),
]


def _race(requests):
    """Run the callables in threads released together; each thread has its own connection."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def run(index, request):
        try:
            barrier.wait()
            results[index] = request()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _warm(care, *apis):
    # Verified credentials are cached: the raced requests then run no password hasher (one
    # address may hash only one request at a time, so cold logins at once would be a 429).
    for api in apis:
        assert api.get(f"/api/assignments/{care.assignment.pk}").status_code == 200


@pytest.mark.parametrize("round_", range(5))
def test_reject_and_cancel_at_once_exactly_one_wins(round_):
    care = make_team()
    path = f"/api/assignments/{care.assignment.pk}/action"
    nurse, colleague = client_for(care.nurse), client_for(care.colleague)
    _warm(care, nurse, colleague)

    reject, cancel = _race([lambda: nurse.patch(f"{path}/reject"), lambda: colleague.patch(f"{path}/cancel")])

    assert sorted([reject.status_code, cancel.status_code]) == [200, 409]
    winner = reject if reject.status_code == 200 else cancel
    final = Assignment.objects.get(pk=care.assignment.pk).state
    assert final == winner.json()["State"] and final in (State.REJECTED, State.CANCELLED)
    moves = AssignmentLogEntry.objects.filter(assignment=care.assignment, kind=LogKind.ACTION)
    assert [(m.from_state, m.to_state) for m in moves] == [(State.NEW, final)]


def test_the_same_action_twice_at_once_is_applied_once():
    care = make_team()
    nurse, colleague = client_for(care.nurse), client_for(care.colleague)
    _warm(care, nurse, colleague)
    path = f"/api/assignments/{care.assignment.pk}/action/accept"
    results = _race([lambda: nurse.patch(path), lambda: colleague.patch(path)])
    assert sorted(r.status_code for r in results) == [200, 409]
    assert AssignmentLogEntry.objects.filter(assignment=care.assignment, kind=LogKind.ACTION).count() == 1
