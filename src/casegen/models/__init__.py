"""The case models: the single source of truth for forms, readers and templates."""
from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from importlib import import_module
from typing import TYPE_CHECKING

from casegen.codes import Kind

if TYPE_CHECKING:
    from casegen.models.bcl import BusinessCaseLite
    from casegen.models.brief import ProjectBrief

    CaseModel = type[BusinessCaseLite] | type[ProjectBrief]


class _Kinds(MutableMapping[str, "CaseModel"]):
    """The model of each kind of case, by its kind; a kind's models are built (by pydantic, 10 ms a kind) when it
    is first asked for, so that a command reading one kind of form never builds the other kind's."""

    _where = {Kind.BCL: ("casegen.models.bcl", "BusinessCaseLite"),
              Kind.BRIEF: ("casegen.models.brief", "ProjectBrief")}

    def __init__(self) -> None:
        self._models: dict[str, CaseModel | None] = dict.fromkeys(self._where)

    def __getitem__(self, kind: str) -> CaseModel:
        model = self._models[kind]  # KeyError for a kind casegen does not know, as a dict's
        if model is None:
            module, name = self._where[Kind(kind)]
            model = self._models[kind] = getattr(import_module(module), name)
        return model

    def __setitem__(self, kind: str, model: CaseModel) -> None:
        self._models[kind] = model

    def __delitem__(self, kind: str) -> None:
        del self._models[kind]

    def __contains__(self, kind: object) -> bool:  # without building the models
        return kind in self._models

    def __iter__(self) -> Iterator[str]:
        return iter(self._models)

    def __len__(self) -> int:
        return len(self._models)


KINDS: MutableMapping[str, CaseModel] = _Kinds()
TITLES: dict[str, str] = {Kind.BCL: "Business Case Lite", Kind.BRIEF: "Project Brief"}
