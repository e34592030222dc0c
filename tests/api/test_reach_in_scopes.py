"""Reach is worked out in scopes only (docs/tenancy.md): no view, service or selector filters by a user.

The source of every app is read (not imported): a call of a reach primitive (`reachable`,
`participant_reachable`, `in_subtrees`, `visible_assets`) or a lookup through customer access or
participant membership (`...accesses__user`, `...memberships__user`) may only appear in an app's
`scopes.py` (where the anchors restrict querysets for ApiView.restrict), in demo seeding, or in one
of the functions listed below with the reason it is not a caller's reach. A view passes services and
selectors querysets it restricted through its anchors instead (services.Reach, ChargerPlaces,
check_tags' meters/customers/assets).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRIMITIVES = {"reachable", "participant_reachable", "in_subtrees", "visible_assets", "_acting_for"}
REACH_LOOKUPS = ("accesses__user", "memberships__user")

# (module, function) → why it may compute a reach outside a scope.
ALLOWED = {
    ("apps/assets/graph/selectors.py", "in_subtrees"): "defines the subtree form of the reach (SubtreeAssetScope)",
    ("apps/assets/graph/selectors.py", "visible_assets"): "the reach of a user a {userId} path names (USER anchor)",
    ("apps/assets/graph/selectors.py", "user_participants"): "the participants of a user a {userId} path names",
    ("apps/assets/graph/selectors.py", "top_nodes"): "the top nodes of a user a {userId} path names",
    ("apps/metering/selectors.py", "meters_of_user"): "the meters of a user a {userId} path names (USER anchor)",
    ("apps/notifications/services.py", "save_email_config"): "a {userId}'s user: alerts on assets they reach",
    ("apps/notifications/selectors.py", "email_config_tree"): "the assets a {userId}'s user reaches, with alerts",
}


def _reach_uses(path: Path) -> list[tuple[str, int]]:
    """(enclosing function, line) of every reach primitive call or reach lookup in the module."""
    tree = ast.parse(path.read_text(), filename=str(path))
    uses = []

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            name = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else function
            if isinstance(child, ast.Call):
                func = child.func
                called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                lookups = [k.arg for k in child.keywords if k.arg and any(r in k.arg for r in REACH_LOOKUPS)]
                if called in PRIMITIVES or lookups:
                    uses.append((function or "<module>", child.lineno))
            visit(child, name)

    visit(tree, None)
    return uses


def _app_modules():
    for path in sorted((ROOT / "apps").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "/migrations/" in relative or "/tests/" in relative:
            continue
        yield relative, path


def test_reach_is_computed_in_scopes_only():
    found = set()
    offenders = []
    for relative, path in _app_modules():
        if relative.endswith(("/scopes.py", "/demo.py")):
            continue
        for function, line in _reach_uses(path):
            if (relative, function) in ALLOWED:
                found.add((relative, function))
            else:
                offenders.append(f"{relative}:{line} in {function}()")
    assert not offenders, (
        "Reach worked out by hand (declare an anchor in the app's scopes.py and restrict through it in the "
        "view, docs/tenancy.md): " + ", ".join(offenders)
    )
    assert found == set(ALLOWED), f"Stale exceptions (no reach computed there any more): {set(ALLOWED) - found}"


def test_the_scan_sees_a_hand_filter(tmp_path):
    """The scan itself: a service that filters by access or calls a primitive is seen, with its function."""
    module = tmp_path / "services.py"
    module.write_text(
        "def by_hand(user):\n"
        "    return Meter.objects.filter(delivery_point__contract__customer__accesses__user=user)\n"
        "def by_primitive(user):\n"
        "    return Asset.objects.filter(assets.reachable(user=user))\n"
        "def fine(customer):\n"
        "    return Meter.objects.filter(delivery_point__contract__customer=customer)\n"
    )
    assert _reach_uses(module) == [("by_hand", 2), ("by_primitive", 4)]
