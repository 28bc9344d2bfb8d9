"""Pagination per the API contract: ``?page=``, ``?page_size=`` up to 500.

Deep pages stay cheap. ``OFFSET n`` makes the database build and throw away ``n`` whole
rows, joined rows included, before the page: on 200,000 sales orders a middle page took
more than a second. ``IdsFirstPaginator`` instead walks only the ordering's index for
the page's ids (an index-only scan when the list is ordered by its primary key, or by an
indexed column), then loads those rows with everything their representation needs (one
query more, so only past the first ``SHALLOW_ROWS``). And a page nearer the end than the
start is counted from the end, in reverse order, so the last page costs what the first
does; the middle page is the deepest any page goes.

A union of rows (``QuerySet.union(...).values(...)``, e.g. reorder suggestions) has no
ids to walk: on PostgreSQL its page and its count come from one query
(``count(*) OVER ()`` over the union, ordered, then ``LIMIT``/``OFFSET``), which computes
the union once rather than twice (a ``COUNT`` and a page); elsewhere, a count and a
slice. Either way only the page's rows are read into Python.
"""

from typing import Any

from django.core.paginator import Page
from django.core.paginator import Paginator as DjangoPaginator
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import ValuesIterable
from rest_framework import pagination

SHALLOW_ROWS = 1_000  # an OFFSET this small costs less than a second query


class IdsFirstPaginator(DjangoPaginator):
    def page(self, number: Any) -> Page:
        counted = self._counted_union_page(number)
        number = self.validate_number(number)  # counts, unless the union's page did
        if counted is not None:
            return Page(counted, number, self)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        return Page(self._rows(bottom, top), number, self)

    def _counted_union_page(self, number: Any) -> list[Any] | None:
        """The rows of page ``number`` of a union of values on PostgreSQL, with the
        union's count taken from the same query (``self.count``); None when that does
        not apply or finds no row (then ``count`` and a slice answer, as for any list)."""
        queryset = self.object_list
        if not (
            isinstance(queryset, QuerySet)
            and queryset.query.combinator
            and queryset._iterable_class is ValuesIterable
            and connections[queryset.db].vendor == "postgresql"
        ):
            return None
        ordering = [name for name in queryset.query.order_by if isinstance(name, str)]
        if not ordering or len(ordering) < len(queryset.query.order_by):
            return None  # unordered, or by expressions: no names to order the union by
        try:
            wanted = int(number)
        except (TypeError, ValueError):
            return None
        if wanted < 1:
            return None
        connection = connections[queryset.db]
        order = ", ".join(
            f"{connection.ops.quote_name(name.removeprefix('-'))} "
            f"{'DESC' if name.startswith('-') else 'ASC'}"
            for name in ordering
        )
        sql, params = queryset.order_by().query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT *, count(*) OVER () FROM ({sql}) AS united ORDER BY {order} "
                "LIMIT %s OFFSET %s",
                [*params, self.per_page, (wanted - 1) * self.per_page],
            )
            names = [column.name for column in cursor.description[:-1]]
            found = cursor.fetchall()
        if not found:
            return None
        self.__dict__["count"] = found[0][-1]  # Paginator.count is a cached property
        return [dict(zip(names, row[:-1], strict=True)) for row in found]

    def _rows(self, bottom: int, top: int) -> list[Any]:
        queryset = self.object_list
        if (
            not isinstance(queryset, QuerySet)
            or not queryset.ordered
            or queryset.query.distinct
            or queryset.query.combinator  # a union's rows are not rows of one table by id
        ):
            return list(queryset[bottom:top])
        from_end = self.count - top
        if from_end < bottom:  # nearer the end: walk from there, in reverse
            return self._slice(queryset.reverse(), from_end, self.count - bottom)[::-1]
        return self._slice(queryset, bottom, top)

    @staticmethod
    def _slice(queryset: QuerySet[Any], start: int, stop: int) -> list[Any]:
        if start <= SHALLOW_ROWS:
            return list(queryset[start:stop])
        ids = list(queryset.values_list("pk", flat=True)[start:stop])
        found = {row.pk: row for row in queryset.filter(pk__in=ids)}
        return [found[pk] for pk in ids if pk in found]


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500
    django_paginator_class = IdsFirstPaginator


class CursorPagination(pagination.CursorPagination):
    """For append-only streams: stable under inserts, no ``count``."""

    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-id"
