"""The camera inventory: import from CSV/XLSX (atomic, every bad row named) and export."""

from camsla.inventory.files import InventoryFileError
from camsla.inventory.rows import ALL_COLUMNS, REQUIRED_COLUMNS
from camsla.inventory.store import ImportReport, export_inventory, import_inventory

__all__ = [
    "ALL_COLUMNS",
    "REQUIRED_COLUMNS",
    "ImportReport",
    "InventoryFileError",
    "export_inventory",
    "import_inventory",
]
