"""The ``camsla`` command. Each command group lives in its own module with a ``register(app)``;
COMMAND_MODULES is the table that mounts them. Heavy imports (OpenCV, PyAV, the web app) happen
inside the commands, so ``camsla --help`` stays quick."""

from __future__ import annotations

import importlib
from pathlib import Path

import typer

from camsla.cli.common import set_config

app = typer.Typer(
    name="camsla",
    help="camsla: 视频监控点位运维监测与 SLA 服务 / camera-health monitoring and SLA service.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

COMMAND_MODULES: tuple[str, ...] = (
    "camsla.cli.db",
    "camsla.cli.inventory",
    "camsla.cli.sectors",
    "camsla.cli.maintenance",
    "camsla.cli.ingest",
    "camsla.cli.sla",
    "camsla.cli.serve",
    "camsla.cli.baseline",
    "camsla.cli.recording",
    "camsla.cli.analyze",
)



@app.callback()
def _global_options(
    config: Path | None = typer.Option(
        None, "--config", help="settings file (default: ./camsla.toml when it exists)", envvar="CAMSLA_CONFIG"
    ),
) -> None:
    set_config(config)


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def main() -> None:
    app()
