"""The app boundaries of docs/architecture.md hold: import-linter's contracts (pyproject.toml
[tool.importlinter]) are kept by the code, and each contract breaks on the import it forbids."""

from pathlib import Path

import pytest
from importlinter import configuration
from importlinter.application import use_cases
from importlinter.application.app_config import settings

CONTRACTS = ("kernel", "public-modules", "layers")
PYPROJECT = str(Path(__file__).resolve().parents[2] / "pyproject.toml")


class WithExtraImport:
    """The real import graph plus one import the code does not have."""

    def __init__(self, builder, importer: str, imported: str):
        self.builder, self.importer, self.imported = builder, importer, imported

    def build(self, **kwargs):
        graph = self.builder.build(**kwargs)
        graph.add_import(importer=self.importer, imported=self.imported, line_number=1, line_contents="import")
        return graph


def broken_contracts(extra_import: tuple[str, str] | None = None) -> set[str]:
    """The ids of the contracts the code breaks, with `extra_import` (importer, imported) added to it."""
    configuration.configure()
    if extra_import is not None:
        settings.configure(GRAPH_BUILDER=WithExtraImport(settings.GRAPH_BUILDER, *extra_import))
    try:
        return {
            contract
            for contract in CONTRACTS
            if not use_cases.lint_imports(PYPROJECT, limit_to_contracts=(contract,), cache_dir=None, no_logo=True)
        }
    finally:
        configuration.configure()


def test_the_code_keeps_every_contract():
    assert broken_contracts() == set()


@pytest.mark.parametrize(
    ("importer", "imported", "contracts"),
    [
        ("esmart.core.services", "apps.customers.models", {"kernel", "layers"}),
        ("apps.flex.api.views", "apps.assets.models", {"public-modules"}),
        ("apps.pricing.api.views", "apps.metering.api.serializers", {"public-modules"}),
        ("apps.customers.api.serializers", "apps.assets.public", {"layers"}),  # a cycle: assets uses customers
        ("apps.metering.selectors", "apps.pricing.public", {"layers"}),  # a cycle: pricing uses metering
        ("apps.ev.selectors", "apps.flex.public", {"layers"}),  # the top layer's apps are independent
    ],
)
def test_a_forbidden_import_breaks_its_contract(importer, imported, contracts):
    assert broken_contracts((importer, imported)) == contracts
