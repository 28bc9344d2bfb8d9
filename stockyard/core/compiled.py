"""Reads by one key whose SQL is compiled once per process and database.

Building a queryset and compiling it to SQL costs the ORM more CPU than the database
takes to answer a read by primary key: on the order path (issue 14) the compiler was the
largest single share of the request thread's CPU, for queries whose text never changes,
only the key they look up. A ``KeyedRead`` builds and compiles its queryset once, with a
stand-in key, and afterwards sends the same SQL with the key put in its place, turning
the rows into model instances (with their ``select_related`` objects and annotations) as
the queryset itself would. The statement sent is the one the queryset sends: same
columns, joins, locks and order.

A key may also be several ids, nested in tuples (``(7, 9, 12)`` for an ``IN`` list, or
``((warehouse, (product, product)),)``): the queryset is then compiled once per *shape*
of key (its nesting and lengths), each id by a stand-in of its own.
"""

from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from itertools import count
from typing import Any, Generic, TypeVar

from django.db import connections, models, router
from django.db.models.query import get_related_populators

M = TypeVar("M", bound=models.Model)

ANY_KEY = -2_147_483_647
"""A key no row has, standing for the looked-up key while the queryset is compiled (the
ids of a key of several: ``ANY_KEY``, ``ANY_KEY + 1``, ...)."""
_KEY_FIELD = models.BigIntegerField()  # prepares a key as a lookup on an id prepares it
_KEYS_STORED = range(-(2**63), 2**63)  # the ids a 64-bit column holds
MOST_IDS_KEPT = 64
"""Keys of more ids than this are compiled for each read, not kept (one compiled query
per shape of key: an ``IN`` list of every length up to a document's line limit would
keep hundreds)."""

Key = Any
"""An id (anything a lookup on an integer id takes), or a tuple of keys."""


def _ids(key: Key, found: list[Any]) -> Hashable:
    """Append the ids of ``key`` to ``found``, in order; answer its shape (``None`` for
    an id, a tuple of the parts' shapes for a tuple)."""
    if isinstance(key, tuple):
        return tuple(_ids(part, found) for part in key)
    found.append(key)
    return None


def _stand_in(shape: Hashable, stand_ins: Iterator[int]) -> Key:
    """A key of ``shape`` whose ids are the next ``stand_ins``."""
    if isinstance(shape, tuple):
        return tuple(_stand_in(part, stand_ins) for part in shape)
    return next(stand_ins)


def _stored(key: Any) -> int:
    """``key`` prepared as a lookup on an id prepares it (``ValueError`` or ``TypeError``
    for anything that is no id); an id no 64-bit column holds becomes one no row has."""
    prepared = _KEY_FIELD.get_prep_value(key)
    return prepared if _KEYS_STORED.start <= prepared < _KEYS_STORED.stop else ANY_KEY


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    key_indexes: tuple[int, ...]  # where each id of the key goes among the params
    compiler: Any  # Django's SQLCompiler, as left by compiling the queryset
    model: type[models.Model]
    init_list: list[str]
    model_columns: slice
    related_populators: list[Any]
    converters: dict[int, Any]


class KeyedRead(Generic[M]):
    """``build(key)`` is the queryset of the rows of one key (a primary key, or the foreign
    key of child rows); it must use each id of ``key`` exactly once, as a parameter, and
    be a queryset of model instances (no ``values()``, no ``prefetch_related``)::

        LOCKED = KeyedRead(lambda key: Order.objects.select_for_update().filter(pk=key))
        order = LOCKED.one(order_id)  # None: no such order
        AMONG = KeyedRead(lambda ids: Product.objects.filter(pk__in=ids))
        products = AMONG.all((3, 5, 8))  # a tuple of ids: compiled once per length

    Compiled on first use for each database alias the queryset reads from (and each
    shape of key).
    """

    def __init__(self, build: Callable[[Key], models.QuerySet[M]]) -> None:
        self._build = build
        self._compiled: dict[tuple[str, Hashable], _Compiled] = {}
        self._target: tuple[type[models.Model], bool] | None = None  # model, locks rows

    def all(self, key: Key) -> list[M]:
        """The rows of ``key``, an integer id or a tuple of keys, in the queryset's order
        (``ValueError`` or ``TypeError`` for an id that is not one, as a lookup raises;
        an id no column can hold finds no row). Read from the database the routers
        choose for the model, as the queryset would."""
        ids: list[Any] = []
        shape = _ids(key, ids)
        ids = [_stored(each) for each in ids]
        if shape is None and ids[0] == ANY_KEY:
            return []  # as a lookup finds no row for an id no column can hold
        if self._target is None:
            queryset = self._build(_stand_in(shape, count(ANY_KEY)))
            self._target = (queryset.model, queryset.query.select_for_update)
        model, locks = self._target
        alias = router.db_for_write(model) if locks else router.db_for_read(model)
        compiled = self._compiled.get((alias, shape)) or self._compile(alias, shape, len(ids))
        params = list(compiled.params)
        for index, each in zip(compiled.key_indexes, ids, strict=True):
            params[index] = each
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows: Sequence[Any] = cursor.fetchall()
        if compiled.converters:
            rows = list(compiled.compiler.apply_converters(rows, compiled.converters))
        return [self._instance(compiled, alias, row) for row in rows]

    def one(self, key: Key) -> M | None:
        """The row of ``key`` (a unique key), or None."""
        found = self.all(key)
        return found[0] if found else None

    def _compile(self, alias: str, shape: Hashable, id_count: int) -> _Compiled:
        stand_ins = range(ANY_KEY, ANY_KEY + id_count)
        queryset = self._build(_stand_in(shape, iter(stand_ins)))
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        if any(params.count(stand_in) != 1 for stand_in in stand_ins):
            raise RuntimeError("A KeyedRead's queryset must take each id of its key exactly once")
        select, klass_info = compiler.select, compiler.klass_info
        fields = klass_info["select_fields"]
        model_columns = slice(fields[0], fields[-1] + 1)
        compiled = _Compiled(
            sql=sql,
            params=tuple(params),
            key_indexes=tuple(params.index(stand_in) for stand_in in stand_ins),
            compiler=compiler,
            model=klass_info["model"],
            init_list=[column[0].target.attname for column in select[model_columns]],
            model_columns=model_columns,
            related_populators=get_related_populators(klass_info, select, alias),  # type: ignore[call-arg]  # the stubs are of Django 6
            converters=compiler.get_converters([s[0] for s in select[: compiler.col_count]]),
        )
        if id_count <= MOST_IDS_KEPT:
            self._compiled[(alias, shape)] = compiled
        return compiled

    @staticmethod
    def _instance(compiled: _Compiled, alias: str, row: Sequence[Any]) -> M:
        """One row as ``ModelIterable`` turns it into an instance."""
        instance = compiled.model.from_db(alias, compiled.init_list, row[compiled.model_columns])
        for populator in compiled.related_populators:
            populator.populate(row, instance)
        for name, position in compiled.compiler.annotation_col_map.items():
            setattr(instance, name, row[position])
        return instance  # type: ignore[return-value]


_BY_PRIMARY_KEY: dict[type[models.Model], KeyedRead[Any]] = {}
_BY_PRIMARY_KEYS: dict[type[models.Model], KeyedRead[Any]] = {}


def by_primary_key(model: type[M]) -> KeyedRead[M]:
    """The read of one row of ``model`` by primary key, through its default manager: one
    per model and process, so each is compiled once."""
    read = _BY_PRIMARY_KEY.get(model)
    if read is None:
        read = _BY_PRIMARY_KEY[model] = KeyedRead(lambda key: model._default_manager.filter(pk=key))
    return read


def by_primary_keys(model: type[M]) -> KeyedRead[M]:
    """The read of the rows of ``model`` whose primary keys are among a key's ids (a
    tuple of distinct ids, at least one; ``in_bulk``'s query, in no particular order),
    through its default manager: one per model and process, compiled once per number of
    ids."""
    read = _BY_PRIMARY_KEYS.get(model)
    if read is None:
        read = _BY_PRIMARY_KEYS[model] = KeyedRead(
            lambda ids: model._default_manager.filter(pk__in=ids).order_by()
        )
    return read
