"""Which engine runs: its mypyc build (setup.py), or its Python source.

A build is a set of extension modules next to their sources, and Python imports an extension
before a source. So a build older than an edited source would run stale code: then, or when
`TAPLINE_INTERPRETED` is set, every compiled module is loaded from its source instead (all of
them, as compiled modules call each other's native classes directly). `mode()` says which.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import EXTENSION_SUFFIXES, ModuleSpec
from pathlib import Path
from types import ModuleType

PACKAGE = Path(__file__).parent
ENV = "TAPLINE_INTERPRETED"


def built(package: Path = PACKAGE) -> dict[str, tuple[Path, Path]]:
    """Compiled module name -> (its source, its build), for the builds found in `package`
    and its subpackages. A module's build is a small stub that loads the code shared by all
    of them (`*__mypyc` beside the package); a rebuild may leave an unchanged stub as it was,
    so when the shared code is newer, it stands for the module's build."""
    found: dict[str, tuple[Path, Path]] = {}
    shared = [
        path for suffix in EXTENSION_SUFFIXES for path in package.parent.glob("*__mypyc" + suffix)
    ]
    newest = max(shared, key=lambda path: path.stat().st_mtime, default=None)
    for suffix in EXTENSION_SUFFIXES:
        for build in (*package.glob("*" + suffix), *package.glob("*/*" + suffix)):
            source = build.with_name(build.name.removesuffix(suffix) + ".py")
            if not source.is_file():
                continue
            parts = source.relative_to(package.parent).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            if newest is not None and newest.stat().st_mtime > build.stat().st_mtime:
                build = newest
            found[".".join(parts)] = (source, build)
    return found


def stale(modules: dict[str, tuple[Path, Path]]) -> list[str]:
    """The compiled modules whose source changed after their build."""
    return sorted(
        name
        for name, (source, build) in modules.items()
        if source.stat().st_mtime > build.stat().st_mtime
    )


class SourceFinder(MetaPathFinder):
    """Finds the compiled modules' sources ahead of their builds."""

    def __init__(self, sources: dict[str, Path]) -> None:
        self.sources = sources

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        source = self.sources.get(fullname)
        if source is None:
            return None
        package = [str(source.parent)] if source.name == "__init__.py" else None
        return importlib.util.spec_from_file_location(
            fullname, source, submodule_search_locations=package
        )


_MODE = "interpreted (no build)"


def mode() -> str:
    """How the engine runs: 'compiled', or 'interpreted (why)'."""
    return _MODE


def choose() -> None:
    """Load the compiled modules from source when asked to or when their build is stale."""
    global _MODE
    modules = built()
    if not modules:
        return
    old = stale(modules)
    if os.environ.get(ENV):
        _MODE = f"interpreted ({ENV} is set)"
    elif old:
        _MODE = f"interpreted (the build is older than {old[0]}: run `make native`)"
    else:
        _MODE = "compiled"
        return
    if not any(isinstance(finder, SourceFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, SourceFinder({name: src for name, (src, _) in modules.items()}))
