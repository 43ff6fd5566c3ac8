"""The ``camsla`` command. Each command group lives in its own module with a ``register(app)``;
COMMAND_MODULES is the table that mounts them. Heavy imports (OpenCV, PyAV, the web app) happen
inside the commands, so ``camsla --help`` stays quick."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="camsla",
    help="camsla: 视频监控点位运维监测与 SLA 服务 / camera-health monitoring and SLA service.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

COMMAND_MODULES: tuple[str, ...] = (
)

for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def main() -> None:
    app()
