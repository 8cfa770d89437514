"""Structured-data anonymisation: recipes, generalisation hierarchies, optimal lattice search for
k-anonymity / l-diversity / t-closeness under a suppression limit, and re-identification risk.

Stable entry points (see docs/guides/anonymisation.md):
    load_recipe(path_or_dict) -> Recipe
    anonymise(data, recipe, *, engine="local"|"ray", seed=0, secret=None, dataset_id=None)
        -> AnonymisationResult(table: polars.DataFrame, report: dict)
    anonymise_to_file(data, recipe, output, report_path=None, ...) -> report dict
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from medkosh.deid.tabular.api import AnonymisationResult, anonymise, anonymise_to_file
    from medkosh.deid.tabular.recipe import Recipe, load_recipe

__all__ = ["AnonymisationResult", "Recipe", "anonymise", "anonymise_to_file", "load_recipe"]

_WHERE = {"AnonymisationResult": "api", "anonymise": "api", "anonymise_to_file": "api",
          "Recipe": "recipe", "load_recipe": "recipe"}


def __getattr__(name: str) -> Any:
    # Lazy: `import medkosh.deid.tabular` stays cheap for callers that only need one part.
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(f"medkosh.deid.tabular.{_WHERE[name]}"), name)
    raise AttributeError(name)
