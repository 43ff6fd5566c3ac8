"""The layout of shared/DESIGN.md, as the code has it: each package's ``__init__`` is its public
surface and the other packages import only that (the layers themselves are import-linter's
contracts in pyproject.toml, checked by `lint-imports` in .ci/run)."""

from __future__ import annotations

import grimp

ROOTS = ("camsla", "probe", "collectors", "sla", "alerts", "dashboards")
# A package's surface is its __init__; probe's heavy parts are surfaces of their own (a liveness
# agent must not load OpenCV), and the schema and two small repositories are modules of camsla.db.
SURFACES = ("probe.image", "probe.frame", "probe.recording", "probe", "sla", "collectors", "alerts",
            "dashboards", "camsla.kernel", "camsla.db")
PUBLIC_MODULES = {"camsla.db.models", "camsla.db.baselines", "camsla.db.maintenance"}


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_other_packages_import_only_public_surfaces() -> None:
    graph = grimp.build_graph(*ROOTS, cache_dir=None)
    reaching_in = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if imported in PUBLIC_MODULES or imported in SURFACES:
                continue
            owner = next((p for p in SURFACES if _inside(imported, p)), None)
            if owner is not None and not _inside(importer, owner):
                reaching_in.append(f"{importer} imports {imported} (use {owner})")
    assert reaching_in == []


def test_no_cycles_between_packages() -> None:
    graph = grimp.build_graph(*ROOTS, cache_dir=None)
    packages = ["camsla.kernel", "camsla.db", "camsla.inventory", "camsla.web", "camsla.service", "camsla.cli",
                "camsla.demo", "probe", "sla", "collectors", "alerts", "dashboards"]
    cycles = [
        (a, b) for a in packages for b in packages
        if a < b and graph.chain_exists(importer=a, imported=b, as_packages=True)
        and graph.chain_exists(importer=b, imported=a, as_packages=True)
    ]
    assert cycles == []
