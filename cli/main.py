"""The ``medcode`` command line. It only consumes the library: no logic of its own."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from assistant.catalog import Catalog, CodeInfo
from assistant.errors import MedcodeError
from assistant.settings import Settings


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = Settings()
    try:
        return int(args.run(settings, args))
    except MedcodeError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="medcode", description="Medical coding assistant.")
    commands = top.add_subparsers(required=True, metavar="COMMAND")
    ingest = commands.add_parser("ingest", help="load official sources into the index")
    ingest.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="files to load; none: packaged sources plus MEDCODE_CORPUS_DIR",
    )
    ingest.add_argument("--quiet", action="store_true", help="no progress bars")
    ingest.add_argument("--json", action="store_true", help="print a JSON summary")
    ingest.set_defaults(run=run_ingest)
    sources = commands.add_parser("sources", help="list the loaded sources")
    sources.add_argument("--json", action="store_true")
    sources.add_argument(
        "--available",
        action="store_true",
        help="list every source medcode can load and where to get it",
    )
    sources.set_defaults(run=run_sources)
    lookup = commands.add_parser("lookup", help="show one code from the catalog")
    lookup.add_argument("code", help="any common form: e119, E11.9, 0DTJ4ZZ, G0008, 250.00")
    lookup.add_argument("--json", action="store_true")
    lookup.set_defaults(run=run_lookup)
    return top


def run_ingest(settings: Settings, args: argparse.Namespace) -> int:
    from ingest.run import ingest

    results, errors = ingest(settings, args.paths, quiet=args.quiet or args.json)
    for message in errors:
        print(f"error: {message}", file=sys.stderr)
    if args.json:
        print(json.dumps({"results": [asdict(r) for r in results], "errors": errors}, indent=2))
    else:
        for r in results:
            detail = (
                f"{r.records} records, {r.passages} passages, {r.embedded} embedded, "
                f"{r.removed} removed, {r.seconds:.1f}s"
                if r.status == "loaded"
                else ""
            )
            print(f"{r.path}: loader {r.loader}: {r.status} {r.version} {detail}".rstrip())
    return 1 if errors else 0


def run_sources(settings: Settings, args: argparse.Namespace) -> int:
    if args.available:
        return show_available(args.json)
    rows = Catalog(settings.catalog_path).sources()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print("nothing loaded yet: run `medcode ingest`")
    for row in rows:
        print(
            f"{row['name']:<26} {row['version']:<24} {row['records']:>8} records "
            f"{row['passages']:>7} passages  sha256 {str(row['checksum'])[:12]}  "
            f"{row['loaded_at']}"
        )
    return 0


def show_available(as_json: bool) -> int:
    from corpus import known_sources

    known = known_sources()
    if as_json:
        print(json.dumps([asdict(k) for k in known], indent=2))
        return 0
    for k in known:
        where = f"ships in {k.packaged}" if k.packaged else f"download: {k.offered_at}"
        print(f"{k.name:<26} {k.version:<30} {k.publisher:<18} {where}")
    return 0


def run_lookup(settings: Settings, args: argparse.Namespace) -> int:
    info = Catalog(settings.catalog_path).lookup(args.code)
    if args.json:
        print(json.dumps(asdict(info), indent=2))
    else:
        print(format_code(info))
    return 0


SYSTEM_NAMES = {
    "icd10cm": "ICD-10-CM",
    "icd10pcs": "ICD-10-PCS",
    "hcpcs": "HCPCS Level II",
    "icd9cm": "ICD-9-CM",
    "cpt": "CPT",
}


def format_code(info: CodeInfo) -> str:
    status = "billable" if info.billable else f"not billable ({info.level})"
    if info.system == "icd9cm":
        status = "retired code set: report ICD-10-CM instead"
    lines = [
        f"{info.code}  {info.title}",
        f"{SYSTEM_NAMES.get(info.system, info.system)} {info.version}; {status}",
    ]
    lines += [f"  parent: {code} {title}" for code, title in info.parents]
    if info.children:
        lines.append(f"  children ({len(info.children)}):")
        lines += [f"    {code} {title}" for code, title in info.children[:40]]
    lines += [f"  {kind} ({at}): {text}" for at, kind, text in info.notes]
    lines += [
        f"  GEMs: {SYSTEM_NAMES.get(system, system)} {code} (flags {flags})"
        for system, code, flags in info.mappings
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
