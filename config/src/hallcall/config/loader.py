"""Reads a hall's TOML file and reports every problem with the file, the key and what is wrong."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from pydantic import ValidationError

from hallcall.config.schema import HallConfig

EXAMPLE_HALL = Path(__file__).parent / "halls" / "example-university.toml"
#: The PIN every clerk of EXAMPLE_HALL has (its pin_hash lines say DEMO ONLY): the demo logs in
#: with it and `hallcall config check` warns of any hall that still uses it.
DEMO_PIN = "2468"


class ConfigError(Exception):
    """A hall file that cannot be used; the message lists every problem found."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = str(path)
        self.problems = problems
        super().__init__(f"{path}: " + "\n  ".join(["invalid hall configuration:", *problems]))


def _key(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def parse_config(text: str, path: Path | str = "<string>") -> HallConfig:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message carries "(at line L, column C)".
        raise ConfigError(path, [f"not valid TOML: {exc}"]) from exc
    try:
        return HallConfig.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            msg = err["msg"].removeprefix("Value error, ")
            key = _key(err["loc"])
            problems.append(f"{key}: {msg}")
        raise ConfigError(path, problems) from exc


def load_config(path: Path | str) -> HallConfig:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(path, ["file not found"]) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(path, [f"not UTF-8 text: {exc}"]) from exc
    return parse_config(text, path)


def load_or_exit(path: str | Path | None) -> HallConfig:
    """For commands: the hall file (the example when none is named), or its problems and exit 2."""
    try:
        return load_config(path or EXAMPLE_HALL)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from None


def hall_files(paths: list[str]) -> list[Path]:
    """Every hall file named, a directory standing for the *.toml files in it."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        files += sorted(path.glob("*.toml")) if path.is_dir() else [path]
    if not files:
        print(f"no hall files in {', '.join(paths)}", file=sys.stderr)
        raise SystemExit(2)
    return files
