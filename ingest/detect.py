"""Which loader reads a file: decided from its content first, its name second."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from assistant.errors import SourceError, UnknownFileType
from assistant.models import SourceData

LOADER_MODULES = [
    "icd10cm_tabular",
    "icd9_gems",
    "guidelines",
    "icd10cm_index",
    "icd10cm_tables",
    "pcs_tables",
    "pcs_index",
    "pcs_definitions",
    "ncci",
    "cpt",
    "hcpcs",
    "document",
]


@dataclass(frozen=True)
class Loader:
    name: str
    detect: Callable[[Path], bool]
    load: Callable[[Path], SourceData]
    revision: int = 0  # raised when the loader reads its files differently: they load again


def loaders() -> list[Loader]:
    found = []
    for module_name in LOADER_MODULES:
        module = import_module(f"ingest.loaders.{module_name}")
        found.append(
            Loader(module.NAME, module.detect, module.load, getattr(module, "REVISION", 0))
        )
    return found


def loader_for(path: Path) -> Loader:
    if not path.is_file():
        raise SourceError(path, "no such file")
    if path.stat().st_size == 0:
        raise SourceError(path, "the file is empty")
    for loader in loaders():
        if loader.detect(path):
            return loader
    raise UnknownFileType(
        f"{path}: no loader recognises this file (expected an official CDC/CMS code file, "
        "or a PDF, HTML, Markdown or text document)"
    )


def packaged_sources() -> list[tuple[Loader, Path]]:
    """The sources that ship inside installed packages."""
    from ingest.loaders import icd9_gems, icd10cm_tabular

    by_name = {loader.name: loader for loader in loaders()}
    return [
        (by_name[icd10cm_tabular.NAME], icd10cm_tabular.packaged_file()),
        (by_name[icd9_gems.NAME], icd9_gems.packaged_file()),
    ]


def corpus_files(folder: Path) -> list[Path]:
    skip = {"README.md", "SHA256SUMS"}
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.name not in skip and not p.name.startswith(".")
    )
