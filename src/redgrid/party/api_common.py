"""Shared pieces of the party API modules: paging input, a page of rows, and the {id, name} reference."""

from ninja import Field, Schema


class PageIn(Schema):
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(30, ge=1, le=200)


def page_of(rows, paging: PageIn) -> tuple[list, int]:
    """One page of a queryset or a list, and the total count (lists page in memory)."""
    offset = (paging.page - 1) * paging.page_size
    page = list(rows[offset : offset + paging.page_size])
    return page, (len(rows) if isinstance(rows, list) else rows.count())


class Ref(Schema):
    id: int
    name: str


def ref(obj) -> dict | None:
    return {"id": obj.pk, "name": obj.name} if obj is not None else None
