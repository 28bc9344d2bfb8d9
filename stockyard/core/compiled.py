"""Reads by one key whose SQL is compiled once per process and database.

Building a queryset and compiling it to SQL costs the ORM more CPU than the database
takes to answer a read by primary key: on the order path (issue 14) the compiler was the
largest single share of the request thread's CPU, for queries whose text never changes,
only the key they look up. A ``KeyedRead`` builds and compiles its queryset once, with a
stand-in key, and afterwards sends the same SQL with the key put in its place, turning
the rows into model instances (with their ``select_related`` objects and annotations) as
the queryset itself would. The statement sent is the one the queryset sends: same
columns, joins, locks and order.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections, models, router
from django.db.models.query import get_related_populators

M = TypeVar("M", bound=models.Model)

ANY_KEY = -2_147_483_647
"""A key no row has, standing for the looked-up key while the queryset is compiled."""
_KEY_FIELD = models.BigIntegerField()  # prepares a key as a lookup on an id prepares it
_KEYS_STORED = range(-(2**63), 2**63)  # the ids a 64-bit column holds


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    key_index: int
    compiler: Any  # Django's SQLCompiler, as left by compiling the queryset
    model: type[models.Model]
    init_list: list[str]
    model_columns: slice
    related_populators: list[Any]
    converters: dict[int, Any]


class KeyedRead(Generic[M]):
    """``build(key)`` is the queryset of the rows of one key (a primary key, or the foreign
    key of child rows); it must use ``key`` exactly once, as a parameter, and be a
    queryset of model instances (no ``values()``, no ``prefetch_related``)::

        LOCKED = KeyedRead(lambda key: Order.objects.select_for_update().filter(pk=key))
        order = LOCKED.one(order_id)  # None: no such order

    Compiled on first use for each database alias the queryset reads from.
    """

    def __init__(self, build: Callable[[int], models.QuerySet[M]]) -> None:
        self._build = build
        self._compiled: dict[str, _Compiled] = {}
        self._target: tuple[type[models.Model], bool] | None = None  # model, locks rows

    def all(self, key: Any) -> list[M]:
        """The rows of ``key``, an integer id, in the queryset's order (``ValueError`` or
        ``TypeError`` for a key that is not one, as a lookup raises). Read from the
        database the routers choose for the model, as the queryset would."""
        if self._target is None:
            queryset = self._build(ANY_KEY)
            self._target = (queryset.model, queryset.query.select_for_update)
        model, locks = self._target
        alias = router.db_for_write(model) if locks else router.db_for_read(model)
        compiled = self._compiled.get(alias) or self._compile(alias)
        key = _KEY_FIELD.get_prep_value(key)
        if not _KEYS_STORED.start <= key < _KEYS_STORED.stop:
            return []  # as a lookup finds no row for an id no column can hold
        params = list(compiled.params)
        params[compiled.key_index] = key
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows: Sequence[Any] = cursor.fetchall()
        if compiled.converters:
            rows = list(compiled.compiler.apply_converters(rows, compiled.converters))
        return [self._instance(compiled, alias, row) for row in rows]

    def one(self, key: Any) -> M | None:
        """The row of ``key`` (a unique key), or None."""
        found = self.all(key)
        return found[0] if found else None

    def _compile(self, alias: str) -> _Compiled:
        queryset = self._build(ANY_KEY)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        if params.count(ANY_KEY) != 1:
            raise RuntimeError("A KeyedRead's queryset must take its key exactly once")
        select, klass_info = compiler.select, compiler.klass_info
        fields = klass_info["select_fields"]
        model_columns = slice(fields[0], fields[-1] + 1)
        compiled = _Compiled(
            sql=sql,
            params=tuple(params),
            key_index=params.index(ANY_KEY),
            compiler=compiler,
            model=klass_info["model"],
            init_list=[column[0].target.attname for column in select[model_columns]],
            model_columns=model_columns,
            related_populators=get_related_populators(klass_info, select, alias),  # type: ignore[call-arg]  # the stubs are of Django 6
            converters=compiler.get_converters([s[0] for s in select[: compiler.col_count]]),
        )
        self._compiled[alias] = compiled
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


def by_primary_key(model: type[M]) -> KeyedRead[M]:
    """The read of one row of ``model`` by primary key, through its default manager: one
    per model and process, so each is compiled once."""
    read = _BY_PRIMARY_KEY.get(model)
    if read is None:
        read = _BY_PRIMARY_KEY[model] = KeyedRead(lambda key: model._default_manager.filter(pk=key))
    return read
