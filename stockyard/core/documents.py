"""Reading business documents (orders, shipments, returns) with their lines.

A document holds up to ``MAX_DOCUMENT_LINES`` lines (1,000). Its detail shows all of them;
a list shows at most ``LIST_DOCUMENT_LINES`` (20) of each, the first by id, and every item
says how many it has in ``line_count``. A default page of 50 documents then carries at most
as many lines as one full document, whatever the documents hold, and still in a fixed
number of queries: one for the documents (with their ``line_count``), one for the lines.
"""

from typing import Any, TypeVar

from django.db.models import (
    Count,
    F,
    IntegerField,
    Model,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

D = TypeVar("D", bound=Model)


def documents_with_lines(
    documents: QuerySet[D], *, lines: QuerySet[Any], limit: int | None = None
) -> QuerySet[D]:
    """``documents`` with their ``lines`` (the reverse relation of that name) prefetched
    from ``lines`` in id order — only the first ``limit`` of each when a limit is given —
    and annotated with ``line_count``, the number of all their lines.

    The count is a correlated subquery on the lines' foreign key (indexed), so it costs
    no extra query and no GROUP BY over the documents' other joins.
    """
    relation = documents.model._meta.get_field("lines")
    owner = relation.field.name  # type: ignore[union-attr]  # the lines' foreign key
    count = (
        relation.related_model._default_manager.filter(**{owner: OuterRef("pk")})  # type: ignore[union-attr]
        .order_by()
        .values(owner)
        .annotate(count=Count("pk"))
        .values("count")
    )
    lines = lines.order_by("pk")
    if limit is not None:
        # What Django does for a sliced Prefetch, which it then refuses to keep as the
        # relation's cache: the first ``limit`` per document, by window function.
        lines = lines.alias(
            line_rank=Window(RowNumber(), partition_by=F(owner), order_by=F("pk").asc())
        ).filter(line_rank__lte=limit)
    # django-stubs types an annotated queryset's rows as the base Model.
    counted: QuerySet[D] = documents.annotate(  # type: ignore[assignment]
        line_count=Coalesce(Subquery(count, output_field=IntegerField()), 0)
    )
    return counted.prefetch_related(Prefetch("lines", queryset=lines))


def line_count(document: Model) -> int:
    """How many lines ``document`` has: its ``line_count`` annotation when it was read by
    ``documents_with_lines``, else its (prefetched, complete) lines counted. No query when
    either is there."""
    annotated = getattr(document, "line_count", None)
    return annotated if annotated is not None else len(document.lines.all())  # type: ignore[attr-defined]
