"""Every operation's answers, for each kind of login, validate strictly against the served schema.

On the seeded demo, each login (a customer, a grid company's professional, a care team's nurse,
a next of kin) calls every operation of the schema (tests/api/schema_world.py): every answer's
status is documented, and its JSON body validates with formats asserted and no property the
schema does not name, as a strict generated decoder reads it.
"""

import pytest

from . import schema_world

pytestmark = pytest.mark.django_db


def test_every_answer_of_every_operation_validates_for_each_kind_of_login(time_machine):
    time_machine.move_to(f"{schema_world.TODAY}T12:00:00Z", tick=False)
    schema_world.seed()
    schema = schema_world.served_schema()
    operations = sum(len(ops) for ops in schema["paths"].values())
    report, problems = [], []
    for kind, username in schema_world.LOGINS:
        walk = schema_world.walk(schema, username)
        assert len(walk.operations) == operations, kind
        ok = sum(count for status, count in walk.statuses.items() if status < 300)
        report.append(
            f"{kind} ({username}): {walk.answers} answers, {ok} 2xx, statuses {sorted(walk.statuses.items())}"
        )
        problems += [f"{kind}: {problem}" for problem in walk.problems]
    print("\n".join(report))
    assert not problems, "\n".join(problems)
