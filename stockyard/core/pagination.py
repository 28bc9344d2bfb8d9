"""Pagination per the API contract: ``?page=``, ``?page_size=`` up to 500."""

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class CursorPagination(pagination.CursorPagination):
    """For append-only streams: stable under inserts, no ``count``."""

    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-id"
