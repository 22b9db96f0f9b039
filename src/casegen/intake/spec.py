"""The intake form's layout, derived from a case model: sheets of labelled fields and tables.

Nothing here is drawn by hand: add a field to a model and it appears in the form, is read back by
the reader and is offered to the templates.
"""
from __future__ import annotations

import hashlib
import typing
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import TypeGuard

from pydantic import BaseModel

from casegen.models.base import form_kind

CONTROL_SHEET = "_casegen"
LISTS_SHEET = "Lists"
GUIDE_SHEET = "Guide"
# The control sheet records the layout from column D on, one row per field, under this header.
LAYOUT_COLUMN = 4
LAYOUT_HEADER = ("sheet", "name", "label", "kind")


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    help: str
    kind: str
    choices: str
    required: bool
    lookup: str = ""  # "table.column": the dropdown offers what is typed in that column of another table


@dataclass(frozen=True)
class Scalar:
    path: tuple[str, ...]
    column: Column

    @property
    def defined_name(self) -> str:
        return "_".join(self.path)


@dataclass(frozen=True)
class Table:
    path: tuple[str, ...]
    label: str
    help: str
    columns: tuple[Column, ...]
    prefill: str = ""  # vocabulary that fills the first column of a new form

    @property
    def name(self) -> str:
        return "_".join(self.path)


@dataclass
class Sheet:
    title: str
    blocks: list = dc_field(default_factory=list)  # str headings, Scalars and Tables, in order


def _list_item(annotation) -> type[BaseModel] | None:
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        if isinstance(item, type) and issubclass(item, BaseModel):
            return item
    return None


def _is_model(annotation) -> TypeGuard[type[BaseModel]]:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _extra(info) -> dict:
    return info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}


def column(name: str, info) -> Column:
    kind = form_kind(info)
    return Column(
        name=name,
        label=info.title or name,
        help=info.description or "",
        kind=kind.kind if kind else "text",
        choices=(kind.choices if kind else "") or _extra(info).get("choices", ""),
        required=info.is_required(),
        lookup=_extra(info).get("lookup", ""),
    )


def table(path: tuple[str, ...], info) -> Table:
    item = _list_item(info.annotation)
    assert item is not None, f"{path} is not a list of rows"
    cols = tuple(column(n, f) for n, f in item.model_fields.items())
    if len(cols) == 1 and _extra(info).get("choices"):
        cols = (Column(cols[0].name, info.title, info.description or "", "choice", _extra(info)["choices"], True),)
    elif len(cols) == 1:
        cols = (Column(cols[0].name, info.title, info.description or "", cols[0].kind, "", True),)
    return Table(path, info.title, info.description or "", cols, _extra(info).get("prefill", ""))


def _group_blocks(path: tuple[str, ...], model: type[BaseModel]) -> list[Scalar | Table]:
    blocks: list[Scalar | Table] = []
    for name, info in model.model_fields.items():
        if _list_item(info.annotation):
            blocks.append(table(path + (name,), info))
        elif not _is_model(info.annotation):
            blocks.append(Scalar(path + (name,), column(name, info)))
    return blocks


def sheets(case_model: type[BaseModel]) -> list[Sheet]:
    """The form's input sheets, in the document's order."""
    out: dict[str, Sheet] = {}
    for name, info in case_model.model_fields.items():
        title = _extra(info).get("sheet")
        if not title:
            continue
        sheet = out.setdefault(title, Sheet(title))
        if _list_item(info.annotation):
            sheet.blocks.append(table((name,), info))
        elif _is_model(annotation := info.annotation):
            blocks = _group_blocks((name,), annotation)
            if not (blocks and isinstance(blocks[0], Table) and blocks[0].label == info.title):
                sheet.blocks.append(info.title)  # a group's heading, unless its first table says the same
            sheet.blocks.extend(blocks)
        else:
            sheet.blocks.append(Scalar((name,), column(name, info)))
    return list(out.values())



def named_blocks(sheet: Sheet) -> list:
    """The blocks of a sheet the workbook names (Scalars by defined name, Tables by table name), in order."""
    return [b for b in sheet.blocks if not isinstance(b, str)]


def block_name(block) -> str:
    return block.name if isinstance(block, Table) else block.defined_name


def layout(model: type[BaseModel]) -> list[tuple[str, str, str, str]]:
    """The form's layout as rows of (sheet, name, label, kind): every named cell, table and table column.

    A table's columns are named "table.column". This is what the version is made from and what the
    control sheet records, so a later casegen can tell what an older form had.
    """
    rows = []
    for sheet in sheets(model):
        for block in named_blocks(sheet):
            if isinstance(block, Scalar):
                rows.append((sheet.title, block.defined_name, block.column.label, block.column.kind))
                continue
            rows.append((sheet.title, block.name, block.label, "table"))
            rows.extend((sheet.title, f"{block.name}.{c.name}", c.label, c.kind) for c in block.columns)
    return rows


def form_version(model: type[BaseModel]) -> str:
    """The layout's fingerprint: changes when a field, table, column, label or kind does, never by hand."""
    text = "\n".join("\t".join(row) for row in layout(model))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
