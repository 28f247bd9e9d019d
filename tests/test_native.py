"""tapline.native: the compiled engine runs unless asked not to or stale; then its source."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

import tapline.engine.core
import tapline.simulator.run
from tapline import native

SUFFIX = EXTENSION_SUFFIXES[0]


def make_package(root: Path) -> Path:
    """fakepkg/{__init__,engine/__init__,engine/core}.py, each with a 'build' beside it that
    would crash if imported (it is not a real extension)."""
    package = root / "fakepkg"
    (package / "engine").mkdir(parents=True)
    for path in ("__init__", "engine/__init__", "engine/core"):
        (package / f"{path}.py").write_text(f"WHERE = {path!r}\n")
        (package / f"{path}{SUFFIX}").write_bytes(b"not an extension")
    (package / f"orphan{SUFFIX}").write_bytes(b"no source beside it")
    return package


def age(path: Path, seconds: float) -> None:
    stat = path.stat()
    os.utime(path, (stat.st_atime, stat.st_mtime - seconds))


@pytest.fixture
def package(tmp_path: Path) -> Iterator[Path]:
    package = make_package(tmp_path)
    sys.path.insert(0, str(tmp_path))
    yield package
    sys.path.remove(str(tmp_path))
    for name in [name for name in sys.modules if name.split(".")[0] == "fakepkg"]:
        del sys.modules[name]


def test_builds_are_found_beside_their_sources(package: Path) -> None:
    found = native.built(package)
    assert sorted(found) == ["fakepkg", "fakepkg.engine", "fakepkg.engine.core"]
    assert found["fakepkg.engine.core"] == (
        package / "engine" / "core.py",
        package / "engine" / f"core{SUFFIX}",
    )


def test_a_source_edited_after_its_build_makes_the_build_stale(package: Path) -> None:
    found = native.built(package)
    for _, build in found.values():
        age(build, -10)  # every build newer than its source
    assert native.stale(found) == []
    age(package / "engine" / f"core{SUFFIX}", 20)
    assert native.stale(found) == ["fakepkg.engine.core"]


def test_a_rebuild_that_left_a_stub_as_it_was_is_current(package: Path) -> None:
    """mypyc's stubs only load the shared code: a rebuild rewrites that, maybe not them."""
    shared = package.parent / f"0123abcd__mypyc{SUFFIX}"
    shared.write_bytes(b"the code of every compiled module")
    stub = package / "engine" / f"core{SUFFIX}"
    age(stub, 20)  # older than the edited source...
    age(shared, -10)  # ...but rebuilt after it
    found = native.built(package)
    assert found["fakepkg.engine.core"] == (package / "engine" / "core.py", shared)
    assert native.stale(found) == []
    age(shared, 30)  # the shared code older than the source too: stale
    assert native.stale(native.built(package)) == ["fakepkg.engine.core"]


def test_the_source_finder_loads_sources_ahead_of_builds(package: Path) -> None:
    sources = {name: source for name, (source, _) in native.built(package).items()}
    finder = native.SourceFinder(sources)
    sys.meta_path.insert(0, finder)
    try:
        import fakepkg.engine.core  # type: ignore[import-not-found]
    finally:
        sys.meta_path.remove(finder)
    assert fakepkg.engine.core.WHERE == "engine/core"
    assert fakepkg.engine.core.__file__ == str(package / "engine" / "core.py")
    assert finder.find_spec("fakepkg.other", None) is None


def test_the_tests_run_what_make_built() -> None:
    """`make test` builds the engine and runs the suite on it, then on its source."""
    core, run = tapline.engine.core.__file__, tapline.simulator.run.__file__
    assert core is not None and run is not None
    if os.environ.get(native.ENV):
        assert native.mode() == f"interpreted ({native.ENV} is set)"
        assert core.endswith("core.py") and run.endswith("run.py")
    else:
        assert native.built(), "no compiled engine: run `make native`"
        assert native.mode() == "compiled"
        assert core.endswith(SUFFIX) and run.endswith(SUFFIX)
