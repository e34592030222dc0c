"""Reads of the asset graph. Every walk of the hierarchies is here, and only here.

How to use it:
- `children(asset_id=, relation_types=, depth=, offset=, limit=)`: the assets below one asset in a
  hierarchy, to `depth` levels, as `AssetNode` rows with `tree_parent_id` and `tree_depth`.
- `ancestors(asset_id=, relation_type=)`: the path from the root down to the asset's parent.
- `subtree_ids_sql(...)` / `subtree(...)`: a subquery / queryset of every asset at or below some roots.
- `reachable(user=, asset_ref=)`: a boolean expression "the user's participants manage this asset",
  used by `scopes.AssetScope`; `in_subtrees(user=)` is the same reach as one walk down (for long
  lists, `scopes.SubtreeAssetScope`), and `visible_assets(user=)` that reach as a queryset.
- `would_cycle(...)`: whether a new edge would close a loop (services.relate refuses it).

Why recursive CTEs over the adjacency table (not a closure table, materialised path or
django-tree-queries): there are two hierarchies and typed links over the same rows, so the edges
live in one table (AssetRelation) rather than in a `parent` column; django-tree-queries needs
that single `parent` column. `WITH RECURSIVE` runs on PostgreSQL and on SQLite alike, each walk
is one query whatever the depth, writes stay one row per edge (moving a subtree is one UPDATE),
and the (parent, type, child) / (child, type, parent) indexes make each step an index lookup. If
a different representation is ever needed, only this module changes.
"""

from __future__ import annotations

import uuid
from collections import namedtuple

from django.db import connection
from django.db.models import BooleanField, Expression, F, Q, QuerySet, Value
from django.db.models.expressions import RawSQL

from apps.customers.public import Contract, CustomerAccess, DeliveryPoint

from ..models import HIERARCHIES, Asset, AssetRelation, Participant, ParticipantTopNode, SearchFilter

# A walk never goes deeper than this (a guard against a cycle that slipped past the services).
MAX_DEPTH = 1000

_ASSET = Asset._meta.db_table
_RELATION = AssetRelation._meta.db_table
_TOP_NODE = ParticipantTopNode._meta.db_table
_MEMBERSHIP = Participant.users.through._meta.db_table
_PARTICIPANT = Participant._meta.db_table


def _in(values) -> tuple[str, list]:
    values = [int(v) for v in values]
    return ", ".join(["%s"] * len(values)), values


def _down_sql(*, roots_sql: str, roots_params: list, relation_types, max_depth: int) -> tuple[str, list]:
    """`WITH RECURSIVE sub(id, parent_id, depth)`: the roots at depth 0 and everything below them."""
    types_sql, types_params = _in(relation_types)
    sql = (
        f"WITH RECURSIVE sub(id, parent_id, depth) AS ("
        f" SELECT CAST(root.id AS BIGINT), CAST(NULL AS BIGINT), 0 FROM ({roots_sql}) AS root"
        f" UNION ALL"
        f" SELECT r.child_id, r.parent_id, sub.depth + 1 FROM {_RELATION} r JOIN sub ON r.parent_id = sub.id"
        f" WHERE r.relation_type IN ({types_sql}) AND sub.depth < %s)"
    )
    return sql, [*roots_params, *types_params, max_depth]


# The columns a walk returns: what AssetNode shows, read straight from the cursor (no model
# instances: a 10,000-node subtree is served at the speed of the query).
NODE_COLUMNS = (
    "id",
    "key",
    "asset_type",
    "name",
    "description",
    "external_id",
    "serial_number",
    "owner_id",
    "default_time_zone",
    "latitude",
    "longitude",
)
AssetNode = namedtuple("AssetNode", [*NODE_COLUMNS, "tree_parent_id", "tree_depth"])


def _uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)  # SQLite stores the hex text


def children(*, asset_id: int, relation_types, depth: int = 1, offset: int = 0, limit: int = 100) -> list[AssetNode]:
    """The assets 1..`depth` levels below `asset_id` over `relation_types`, breadth first, one query.

    Each row carries `tree_parent_id` (its parent on the walk) and `tree_depth` (1 = a child).
    """
    cte, params = _down_sql(
        roots_sql="SELECT %s AS id", roots_params=[asset_id], relation_types=relation_types, max_depth=depth
    )
    columns = ", ".join(f"a.{c}" for c in NODE_COLUMNS)
    sql = (
        f"{cte} SELECT {columns}, sub.parent_id, sub.depth"
        f" FROM sub JOIN {_ASSET} a ON a.id = sub.id WHERE sub.depth > 0"
        f" ORDER BY sub.depth, a.id LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset])
        rows = cursor.fetchall()
    return [AssetNode(row[0], _uuid(row[1]), *row[2:]) for row in rows]


def builds_json() -> bool:
    """Whether pages of a walk are built as JSON by the database (PostgreSQL); elsewhere (SQLite) the
    rows of `children()` are serialised in Python. Same page, same JSON."""
    return connection.vendor == "postgresql"


def children_json(*, asset_id: int, relation_types, names, depth: int = 1, offset: int = 0, limit: int = 100) -> str:
    """PostgreSQL: the page `children()` returns, as JSON objects joined by commas (no brackets; ''
    for an empty page), one per row with `names` as the keys of NODE_COLUMNS, tree_parent_id and
    tree_depth. The database builds the text (row_to_json, compact), so no row reaches Python."""
    if len(names) != len(AssetNode._fields):
        raise ValueError(f"children_json needs {len(AssetNode._fields)} names, got {len(names)}")
    cte, params = _down_sql(
        roots_sql="SELECT %s AS id", roots_params=[asset_id], relation_types=relation_types, max_depth=depth
    )
    quote = connection.ops.quote_name
    sources = [f"a.{c}" for c in NODE_COLUMNS] + ["sub.parent_id", "sub.depth"]
    columns = ", ".join(f"{source} AS {quote(name)}" for source, name in zip(sources, names, strict=True))
    depth_key, id_key = quote(names[-1]), quote(names[0])
    sql = (
        f"{cte} SELECT COALESCE(string_agg(row_to_json(p)::text, ',' ORDER BY p.{depth_key}, p.{id_key}), '')"
        f" FROM (SELECT {columns} FROM sub JOIN {_ASSET} a ON a.id = sub.id WHERE sub.depth > 0"
        f" ORDER BY sub.depth, a.id LIMIT %s OFFSET %s) AS p"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset])
        return cursor.fetchone()[0]


def subtree_ids_sql(*, root_ids, relation_types=HIERARCHIES, max_depth: int = MAX_DEPTH) -> tuple[str, list]:
    """SQL selecting the ids of the roots and every asset below them (usable in `pk__in=RawSQL(...)`)."""
    roots_sql, roots_params = _in(root_ids)
    cte, params = _down_sql(
        roots_sql=f"SELECT id FROM {_ASSET} WHERE id IN ({roots_sql})",
        roots_params=roots_params,
        relation_types=relation_types,
        max_depth=max_depth,
    )
    return f"{cte} SELECT DISTINCT id FROM sub", params


def subtree(*, root_ids, relation_types=HIERARCHIES) -> QuerySet[Asset]:
    """The roots and every asset below them, as a queryset (for counting, filtering, exporting)."""
    sql, params = subtree_ids_sql(root_ids=root_ids, relation_types=relation_types)
    return Asset.objects.filter(pk__in=RawSQL(sql, params))


def _up_sql(*, start_sql: str, start_params: list, relation_types, start_from: str = "") -> tuple[str, list]:
    """`WITH RECURSIVE up(id, depth)`: the start at depth 0 and its ancestors at 1, 2, ...

    `start_sql` is one id expression; `start_from` an optional FROM clause it selects from.
    """
    types_sql, types_params = _in(relation_types)
    sql = (
        f"WITH RECURSIVE up(id, depth) AS ("
        f" SELECT CAST({start_sql} AS BIGINT), 0 {start_from}"
        f" UNION ALL"
        f" SELECT r.parent_id, up.depth + 1 FROM {_RELATION} r JOIN up ON r.child_id = up.id"
        f" WHERE r.relation_type IN ({types_sql}) AND up.depth < %s)"
    )
    return sql, [*start_params, *types_params, MAX_DEPTH]


def ancestors(*, asset_id: int, relation_type) -> list[Asset]:
    """The path from the root of `relation_type`'s hierarchy down to the asset's parent, one query."""
    cte, params = _up_sql(start_sql="%s", start_params=[asset_id], relation_types=[relation_type])
    sql = (
        f"{cte} SELECT a.*, up.depth AS tree_depth FROM up JOIN {_ASSET} a ON a.id = up.id"
        f" WHERE up.depth > 0 ORDER BY up.depth DESC"
    )
    return list(Asset.objects.raw(sql, params))


def parents(*, asset_id: int, relation_type) -> QuerySet[Asset]:
    """The asset's parents over `relation_type`: at most one in a hierarchy, none at a root."""
    return Asset.objects.filter(child_relations__child_id=asset_id, child_relations__relation_type=relation_type)


def would_cycle(*, parent_id: int, child_id: int, relation_type) -> bool:
    """Whether the edge parent → child would close a loop: the child is the parent or above it."""
    if parent_id == child_id:
        return True
    cte, params = _up_sql(start_sql="%s", start_params=[parent_id], relation_types=[relation_type])
    with connection.cursor() as cursor:
        cursor.execute(f"{cte} SELECT 1 FROM up WHERE id = %s LIMIT 1", [*params, child_id])
        return cursor.fetchone() is not None


# The participants a user acts for: those they are a member of and every participant below them.
PARTICIPANTS_SQL = (
    f"WITH RECURSIVE ps(id, depth) AS ("
    f" SELECT m.participant_id, 0 FROM {_MEMBERSHIP} m WHERE m.user_id = %s"
    f" UNION ALL"
    f" SELECT p.id, ps.depth + 1 FROM {_PARTICIPANT} p JOIN ps ON p.parent_id = ps.id WHERE ps.depth < %s)"
    f" SELECT id FROM ps"
)


def _acting_for(user) -> RawSQL:
    return RawSQL(PARTICIPANTS_SQL, [user.pk, MAX_DEPTH])


class _Reachable(Expression):
    """Whether the user reaches the referenced asset, as hand-written SQL (it is on every request):

    - as a professional: an ancestor-or-self of the asset is a top node of a participant the user
      acts for. Reach is downward-closed (everything below a visible asset is visible), so this is
      a walk *up* from the asset, bounded by its depth, instead of materialising the whole subtree
      of every top node for each lookup;
    - as a customer: the asset's delivery point belongs to a customer the user has access to.
    """

    output_field = BooleanField()
    conditional = True

    def __init__(self, asset_ref, delivery_point_ref, user_id: int):
        super().__init__()
        self.asset_ref = asset_ref
        self.delivery_point_ref = delivery_point_ref
        self.user_id = user_id

    def get_source_expressions(self):
        return [self.asset_ref, self.delivery_point_ref]

    def set_source_expressions(self, exprs):
        self.asset_ref, self.delivery_point_ref = exprs

    def as_sql(self, compiler, connection):
        ref_sql, ref_params = compiler.compile(self.asset_ref)
        point_sql, point_params = compiler.compile(self.delivery_point_ref)
        cte, params = _up_sql(start_sql=ref_sql, start_params=list(ref_params), relation_types=HIERARCHIES)
        sql = (
            f"(EXISTS ({cte} SELECT 1 FROM up JOIN {_TOP_NODE} t ON t.asset_id = up.id"
            f" WHERE t.participant_id IN ({PARTICIPANTS_SQL}))"
            f" OR EXISTS (SELECT 1 FROM {DeliveryPoint._meta.db_table} d"
            f" JOIN {Contract._meta.db_table} c ON c.id = d.contract_id"
            f" JOIN {CustomerAccess._meta.db_table} ca ON ca.customer_id = c.customer_id"
            f" WHERE d.id = {point_sql} AND ca.user_id = %s))"
        )
        return sql, (*params, self.user_id, MAX_DEPTH, *point_params, self.user_id)


def reachable(*, user, asset_path: str = "") -> Q:
    """A filter: assets the user reaches as a professional (the top nodes of the participants they
    act for, and below, in either hierarchy) or as a customer (the assets of their delivery points)."""
    prefix = f"{asset_path}__" if asset_path else ""
    return Q(_Reachable(F(f"{prefix}pk"), F(f"{prefix}delivery_point_id"), user.pk))


def in_subtrees(*, user) -> Q:
    """A filter on assets: the same reach as `reachable`, as one subtree query below the top nodes of the
    user's participants (found first, one query) plus their customers' assets. For long lists, where one
    walk down beats a walk up per row; keep it to assets (apply .distinct(): the customer side joins)."""
    roots = list(
        ParticipantTopNode.objects.filter(participant_id__in=_acting_for(user)).values_list("asset_id", flat=True)
    )
    mine = Q(delivery_point__contract__customer__accesses__user=user)
    if not roots:
        return mine
    sql, params = subtree_ids_sql(root_ids=roots)
    return Q(pk__in=RawSQL(sql, params)) | mine


def visible_assets(*, user) -> QuerySet[Asset]:
    """Every asset `user` reaches, as one subtree query (the reach of a user a path names; a caller's
    own reach comes from the view's anchor, scopes.ASSETS_IN_REACH_BY_SUBTREE)."""
    return Asset.objects.filter(in_subtrees(user=user)).distinct()


def user_participants(*, user) -> QuerySet[Participant]:
    return Participant.objects.filter(memberships__user=user).order_by("id")


def participant_hierarchy(*, user) -> list[Participant]:
    """The user's participants and every participant below them, each with `tree_parent_id` and
    `tree_depth` (0 = a participant the user is a member of), one query."""
    sql = (
        f"WITH RECURSIVE ph(id, depth) AS ("
        f" SELECT m.participant_id, 0 FROM {_MEMBERSHIP} m WHERE m.user_id = %s"
        f" UNION ALL"
        f" SELECT p.id, ph.depth + 1 FROM {_PARTICIPANT} p JOIN ph ON p.parent_id = ph.id WHERE ph.depth < %s)"
        f" SELECT p.*, p.parent_id AS tree_parent_id, MIN(ph.depth) AS tree_depth"
        f" FROM ph JOIN {_PARTICIPANT} p ON p.id = ph.id"
        f" GROUP BY p.id ORDER BY MIN(ph.depth), p.id"
    )
    return list(Participant.objects.raw(sql, [user.pk, MAX_DEPTH]))


def top_nodes(*, user) -> QuerySet[ParticipantTopNode]:
    return (
        ParticipantTopNode.objects.filter(participant_id__in=_acting_for(user))
        .select_related("asset", "participant")
        .order_by("id")
    )


def participant_top_nodes(*, participant, relation_type) -> QuerySet[Asset]:
    return Asset.objects.filter(top_node_of__participant=participant, top_node_of__hierarchy=relation_type).order_by(
        "id"
    )


def customer_zones(*, customer) -> QuerySet[SearchFilter]:
    """The zones whose member assets are at or above one of the customer's assets (one query)."""
    # The walk starts from every asset of the customer's delivery points at once.
    own = (
        f"FROM {_ASSET} a JOIN {DeliveryPoint._meta.db_table} d ON d.id = a.delivery_point_id"
        f" JOIN {Contract._meta.db_table} c ON c.id = d.contract_id WHERE c.customer_id = %s"
    )
    cte, params = _up_sql(start_sql="a.id", start_from=own, start_params=[customer.pk], relation_types=HIERARCHIES)
    sql = f"{cte} SELECT DISTINCT id FROM up"
    return SearchFilter.objects.filter(assets__in=RawSQL(sql, params)).distinct().order_by("id")


class _ParticipantReachable(Expression):
    """EXISTS: the referenced participant or one above it has the user as a member."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, participant_ref, user_id: int):
        super().__init__()
        self.participant_ref = participant_ref
        self.user_id = user_id

    def get_source_expressions(self):
        return [self.participant_ref]

    def set_source_expressions(self, exprs):
        (self.participant_ref,) = exprs

    def as_sql(self, compiler, connection):
        ref_sql, ref_params = compiler.compile(self.participant_ref)
        sql = (
            f"EXISTS (WITH RECURSIVE pu(id, depth) AS (SELECT CAST({ref_sql} AS BIGINT), 0 UNION ALL"
            f" SELECT p.parent_id, pu.depth + 1 FROM {_PARTICIPANT} p JOIN pu ON p.id = pu.id"
            f" WHERE p.parent_id IS NOT NULL AND pu.depth < %s)"
            f" SELECT 1 FROM pu JOIN {_MEMBERSHIP} m ON m.participant_id = pu.id WHERE m.user_id = %s)"
        )
        return sql, (*ref_params, MAX_DEPTH, self.user_id)


def participant_reachable(*, user, participant_path: str = "") -> Q:
    """A filter: participants the user is a member of, and the participants below those."""
    return Q(_ParticipantReachable(F(f"{participant_path}__pk" if participant_path else "pk"), user.pk))


def typed_children(*, asset: Asset, relation_type) -> QuerySet[Asset]:
    """The direct children of `asset` over a typed (non-hierarchy) link. Typed links may point outside
    the hierarchies, so unlike a hierarchy walk the caller restricts them to the reach (the view's
    ASSETS_IN_REACH)."""
    return (
        Asset.objects.filter(parent_relations__parent=asset, parent_relations__relation_type=relation_type)
        .annotate(tree_parent_id=Value(asset.pk), tree_depth=Value(1))
        .order_by("id")
    )
