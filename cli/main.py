"""The ``medcode`` command line. It only consumes the library: no logic of its own."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

from assistant.answer_types import Answer
from assistant.catalog import Catalog, CodeInfo
from assistant.check.model import Report
from assistant.errors import BadInput, MedcodeError
from assistant.extractive import SYSTEM_NAMES
from assistant.index import Index
from assistant.models import KINDS, SYSTEMS
from assistant.retrieval import Hit
from assistant.settings import Settings


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = Settings()
    try:
        return int(args.run(settings, args))
    except MedcodeError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader went away (`medcode sources | head`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


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
    changed = commands.add_parser(
        "changes", help="codes added, deleted, retitled between two ICD-10-CM or -PCS editions"
    )
    changed.add_argument("--system", choices=["icd10cm", "icd10pcs"], default="icd10cm")
    changed.add_argument("--from", dest="old", metavar="FY2026", help="default: before --to")
    changed.add_argument("--to", dest="new", metavar="FY2027", help="default: in effect today")
    changed.add_argument("--json", action="store_true")
    changed.set_defaults(run=run_changes)
    lookup = commands.add_parser("lookup", help="show one code from the catalog")
    lookup.add_argument("code", help="any common form: e119, E11.9, 0DTJ4ZZ, G0008, 250.00")
    lookup.add_argument(
        "--date",
        metavar="YYYY-MM-DD",
        help="date of service (default: today): is the code valid in the edition then?",
    )
    lookup.add_argument("--json", action="store_true")
    lookup.set_defaults(run=run_lookup)
    search = commands.add_parser("search", help="hybrid search over the loaded sources")
    search.add_argument("query")
    search.add_argument("--system", choices=SYSTEMS)
    search.add_argument("--kind", choices=KINDS)
    search.add_argument("--source")
    search.add_argument("--version")
    search.add_argument("--edition", help='passages of one edition only: "FY2025", "2025-10"')
    search.add_argument(
        "--date", metavar="YYYY-MM-DD", help="search the editions in effect then (default: today)"
    )
    search.add_argument("-k", type=int, default=10, help="how many results (1-100)")
    search.add_argument("--json", action="store_true")
    search.set_defaults(run=run_search)
    serve = commands.add_parser("serve", help="serve the REST API and the chat widget")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--ingest",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="files to load in the background while serving (without it, the default sources "
        "are built when there is no index, and a build that stopped is finished)",
    )
    serve.add_argument(
        "--no-build", action="store_true", help="never ingest: serve the index as it is"
    )
    serve.set_defaults(run=run_serve)
    evaluate = commands.add_parser("eval", help="measure retrieval quality")
    evaluate.add_argument(
        "--sets",
        type=Path,
        default=None,
        help="folder of eval .jsonl files (default ../shared/eval)",
    )
    evaluate.add_argument(
        "--per-tier", type=int, default=400, help="queries per ICD-9-CM paraphrase tier"
    )
    evaluate.add_argument(
        "--seed",
        type=int,
        default=13,
        help="sample of the ICD-9-CM paraphrase tiers (13 is reported; weights were tuned on 99)",
    )
    evaluate.add_argument(
        "--only",
        help="run only the set with this name (dev_lay, dev_guidelines, gems_equivalent, "
        "gems_approximate, real, notes)",
    )
    evaluate.add_argument(
        "--part",
        choices=["all", "tune", "check"],
        default="all",
        help="real questions: every one, or the half changes are chosen on (tune) or checked "
        "on (check)",
    )
    evaluate.add_argument("--json", action="store_true")
    evaluate.set_defaults(run=run_eval)
    ask = commands.add_parser("ask", help="ask a coding question; the answer cites its sources")
    ask.add_argument("question")
    ask.add_argument("--no-llm", action="store_true", help="extractive answer, no language model")
    ask.add_argument(
        "--date",
        metavar="YYYY-MM-DD",
        help="date of service (default: today): codes are checked in its edition",
    )
    ask.add_argument("--json", action="store_true")
    ask.set_defaults(run=run_ask)
    check = commands.add_parser(
        "check", help="check an encounter's codes (JSON as POST /v1/check takes it)"
    )
    check.add_argument("file", help="a JSON file, or - for standard input")
    check.add_argument("--json", action="store_true")
    check.set_defaults(run=run_check)
    note = commands.add_parser(
        "code-note", help="suggest codes for a clinical note (JSON as POST /v1/code-note takes it)"
    )
    note.add_argument("file", help="a JSON file, or - for standard input")
    note.add_argument("--json", action="store_true")
    note.add_argument("--no-llm", action="store_true", help="extractive only")
    note.set_defaults(run=run_code_note)
    agents = commands.add_parser(
        "mcp", help="serve medcode's tools to an AI agent over MCP (stdio; /mcp over HTTP)"
    )
    agents.set_defaults(run=run_mcp)
    return top


def read_json(name: str) -> object:
    source = sys.stdin if name == "-" else None
    try:
        text = source.read() if source else Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"{name}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(f"{name}:{exc.lineno}: not valid JSON ({exc.msg})") from None


def run_code_note(settings: Settings, args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from assistant.errors import InvalidField, field_path
    from assistant.note_coder import code_note
    from assistant.note_coder.model import NoteRequest

    try:
        request = NoteRequest.model_validate(read_json(args.file))
    except ValidationError as exc:
        first = exc.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        raise InvalidField(field_path(tuple(first["loc"])) or "request", message) from None
    from assistant.llm import OpenAIChat

    use_model = settings.llm_base_url and settings.note_llm and not args.no_llm
    result = code_note(Index(settings), request, OpenAIChat(settings) if use_model else None)
    if args.json:
        print(result.model_dump_json(indent=2))
        return 0
    for s in result.codes:
        words = "; ".join(f'"{e.text}" at {e.start}' for e in s.evidence)
        print(f"{s.code}  {s.title}  [{s.assertion}, {s.confidence:.1f}]  {words}")
        print(f"    {s.reason}")
    for n in result.not_coded:
        print(f'not coded: "{n.text}" at {n.start}: {n.why}')
    for f in result.findings:
        print(f"{f.severity} {f.rule}: {f.message}")
    for w in result.warnings:
        print(f"warning: {w}")
    return 0


def run_mcp(settings: Settings, args: argparse.Namespace) -> int:
    """The MCP server over standard input and output, for an MCP client to launch."""
    from api.app import load
    from api.mcp_server import serve_stdio
    from api.state import AppState

    state = AppState(settings)
    load(state)  # a missing index is a tool error naming it, as the API's 503 does
    serve_stdio(state)
    return 0


def run_check(settings: Settings, args: argparse.Namespace) -> int:
    """Exit status 1 when a finding is an error, 0 otherwise."""
    from assistant.check import check
    from assistant.check.model import read_encounter

    report = check(Catalog(settings.catalog_path), read_encounter(read_json(args.file)))
    if args.json:
        print(report.model_dump_json(indent=2))
    else:
        print(format_report(report))
    return 1 if report.errors else 0


def format_report(report: Report) -> str:
    lines = [f"{report.setting} encounter on {report.date_of_service}"]
    marks = {"error": "✖ error", "warning": "⚠ warning", "info": "· info"}
    for f in report.findings:
        cited = "".join(f"[{c.n}]" for c in f.citations)
        lines.append(f"{marks[f.severity]} {f.rule}: {f.message} {cited}".rstrip())
    if not report.findings:
        lines.append("no findings")
    if report.drg:
        d = report.drg
        weight = f", weight {d.weight:.4f}" if d.weight is not None else ""
        lines.append(f"MS-DRG {d.drg} {d.title} (MDC {d.mdc}, grouper {d.grouper}{weight})")
        lines += [f"  {x.code}: {x.why}" for x in d.drivers]
    if report.hcc:
        mapped = [e for e in report.hcc.entries if e.hcc]
        held = ", ".join(f"{e.code} {e.hcc} {e.label}" for e in mapped) or "no HCC"
        lines.append(f"{report.hcc.model}, payment year {report.hcc.payment_year}: {held}")
    lines.append("editions: " + ", ".join(f"{k} {v}" for k, v in report.editions.items()))
    lines += [
        f"[{c.n}] {c.title} ({c.source} {c.edition}) {c.passage_id}" for c in report.citations
    ]
    return "\n".join(lines)


def run_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    # the workers read their settings from the environment
    if args.no_build:
        os.environ["MEDCODE_BUILD"] = "off"
    if args.ingest:
        missing = [str(p) for p in args.ingest if not p.is_file()]
        if missing:
            print(f"error: --ingest: no such file: {', '.join(missing)}", file=sys.stderr)
            return 2
        os.environ["MEDCODE_BUILD_PATHS"] = json.dumps([str(p.resolve()) for p in args.ingest])

    uvicorn.run(
        "api.main:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        access_log=settings.debug,
    )  # URLs can hold case notes
    return 0


def run_eval(settings: Settings, args: argparse.Namespace) -> int:
    from assistant import evaluate
    from ingest import gems_benchmark

    index = Index(settings)
    folder = args.sets or Path.cwd().parent / "shared" / "eval"
    real = None
    if args.only == "notes":
        return run_notes(index, args.json, args.part, folder / "dev_notes.jsonl")
    if args.only in (None, "real"):
        real = run_real(index, folder / "dev_real.jsonl", args.part)
    rows: list[dict[str, object]] = []
    if args.only != "real":
        gems = gems_benchmark.build(index.catalog, args.per_tier, args.seed)
        sets = evaluate.shared_sets(folder) + gems
        sets = [s for s in sets if not args.only or s.name == args.only]
        rows = evaluate.run(index.searcher, sets)
    if args.json:
        print(json.dumps({"retrieval": rows, "real": real}, indent=2))
        return 0
    if rows:
        print(f"{'set':<18} {'mode':<8} {'n':>4} {'R@1':>6} {'R@5':>6} {'R@10':>6} {'MRR':>6}")
    for r in rows:
        print(
            f"{r['set']:<18} {r['mode']:<8} {r['n']:>4} {r['recall@1']:>6.3f} "
            f"{r['recall@5']:>6.3f} {r['recall@10']:>6.3f} {r['mrr']:>6.3f}"
        )
    if real:
        print_real(real)
    return 0


NOTES_DEV = Path(__file__).resolve().parents[1] / "bench" / "notes_dev.jsonl"


def run_notes(index: Index, as_json: bool, part: str, shared: Path) -> int:
    """Note coding in extractive mode on the project's development notes (or one half of them)
    and on the shared real notes beside the repo, when there."""
    from assistant import evaluate_notes

    sets = {"notes": evaluate_notes.split(evaluate_notes.load(NOTES_DEV), part)}
    if shared.is_file():
        sets["real notes"] = evaluate_notes.split(evaluate_notes.load(shared), part)
    else:
        print(f"note: {shared} not found; real notes skipped", file=sys.stderr)
    found = {name: evaluate_notes.run(index, cases) for name, cases in sets.items() if cases}
    if as_json:
        print(json.dumps(found, indent=2))
        return 0
    for name, scores in found.items():
        print(
            f"{name} ({scores['n']}, extractive): recall of must codes "
            f"{scores['recall_must']:.3f}, precision {scores['precision']:.3f}, must-not rate "
            f"{scores['must_not_rate']:.3f}, evidence spans valid {scores['span_validity']:.3f}, "
            f"p95 {scores['p95_ms']} ms"
        )
        for miss in scores["misses"]:
            print(f"  miss: {miss}")
    return 0


def run_real(index: Index, path: Path, part: str) -> dict[str, object] | None:
    from assistant import evaluate_real
    from assistant.chat import Assistant

    if not path.is_file():
        print(f"note: {path} not found; real questions skipped", file=sys.stderr)
        return None
    cases = evaluate_real.split(evaluate_real.load(path), part)
    return evaluate_real.score(Assistant(index), cases)


def print_real(real: dict[str, object]) -> None:
    print(
        f"real questions ({real['n']}, default mode): "
        f"any expected code {real['code_any']:.3f} and all {real['code_all']:.3f} "
        f"(of {real['code_n']}; not counting codes the question names: "
        f"{real['code_any_new']:.3f}), section cited {real['section']:.3f} "
        f"(of {real['section_n']}), out of scope said {real['honest']:.3f} "
        f"(of {real['honest_n']}; in scope said missing: {real['false_missing']}), "
        f"invalid or cross-system codes shown as valid: {len(real['bad_codes'])}, "  # type: ignore[arg-type]
        f"answer p50 {real['p50_ms']} ms, p95 {real['p95_ms']} ms"
    )
    for miss in real["misses"]:  # type: ignore[attr-defined]
        print(f"  miss: {miss}")


def run_ask(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.chat import Assistant, Turn
    from assistant.currency import today
    from assistant.editions import parse_day
    from assistant.events import Delta, Done
    from assistant.index import Index
    from assistant.llm import OpenAIChat

    day = parse_day(args.date, "--date") if args.date else today(settings)
    model = OpenAIChat(settings) if settings.llm_base_url and not args.no_llm else None
    bot = Assistant(Index(settings), model)
    turns = [Turn("user", args.question)]
    if args.json:
        print(bot.answer(turns, date_of_service=day).model_dump_json(indent=2))
        return 0
    for event in bot.answer_stream(turns, date_of_service=day):
        if isinstance(event, Delta) and model is not None:
            print(event.text, end="", flush=True)
        elif isinstance(event, Done):
            print_answer(event.answer, streamed=model is not None)
    return 0


def print_answer(answer: Answer, streamed: bool) -> None:
    print(("\n\n" if streamed else "") + answer.answer)
    for c in answer.citations:
        where = " ".join(
            x for x in [c.section and f"section {c.section}", c.page and f"page {c.page}"] if x
        )
        print(f"[{c.n}] {c.source} {c.version} {where} {c.title[:80]}")
    for warning in answer.warnings:
        print(f"warning: {warning}", file=sys.stderr)


def run_search(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.currency import today
    from assistant.editions import parse_day
    from assistant.filters import Filters
    from assistant.index import Index
    from assistant.shelves import dated

    if not 1 <= args.k <= 100:
        raise BadInput(f"-k must be between 1 and 100, got {args.k}")
    index = Index(settings)
    day = parse_day(args.date, "--date") if args.date else today(settings)
    filters = Filters(args.system, args.kind, args.source, args.version, args.edition)
    filters, notes = dated(index.catalog, filters, day)
    result = index.searcher.search(args.query, args.k, filters)
    for warning in [*notes, *result.warnings]:
        print(f"warning: {warning}", file=sys.stderr)
    if args.json:
        print(json.dumps([hit_json(h) for h in result.hits], indent=2))
        return 0
    for n, hit in enumerate(result.hits, start=1):
        p = hit.passage
        where = f" {p.section}" if p.section else ""
        where += f" p.{p.page}" if p.page else ""
        first = p.text.splitlines()[0][:110]
        print(f"{n:>2}. [{p.source} {p.edition or p.version}{where}] {first}")
    return 0


def hit_json(hit: Hit) -> dict[str, object]:
    row = hit.passage.public()
    del row["trail"]
    return {**row, "score": round(hit.score, 6)}


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
                f"{r.records} records, {r.passages} passages, {r.embedded} vectors embedded, "
                f"{r.reused} copied from another edition, {r.removed} removed, {r.seconds:.1f}s"
                if r.status in ("loaded", "resumed")
                else ""
            )
            print(f"{r.path}: loader {r.loader}: {r.status} {r.version} {detail}".rstrip())
    return 1 if errors else 0


def run_sources(settings: Settings, args: argparse.Namespace) -> int:
    if args.available:
        return show_available(args.json)
    from assistant.build_status import read_status
    from assistant.currency import annotated, currency, today

    catalog = Catalog(settings.catalog_path)
    rows = annotated(catalog, today(settings), paths=True)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print("nothing loaded yet: run `medcode ingest`")
    for row in rows:
        print(
            f"{row['name']:<26} {row['version']:<24} {row['records']:>8} records "
            f"{row['passages']:>7} passages  sha256 {str(row['checksum'])[:12]}  "
            f"{row['loaded_at']}  {row['path']}"
            + ("" if row["in_use"] else "  (older edition, kept)")
        )
    for found in currency(catalog, today(settings)) if rows else []:
        print(("" if found.current else "⚠ ") + found.message)
    status = read_status(settings.data_dir)
    if status is not None and not status.finished:
        print(("" if status.running else "⚠ ") + status.message())
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


def run_changes(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.changes import changes, latest, previous
    from assistant.currency import today
    from assistant.editions import edition

    new = args.new or latest(edition(today(settings)))
    found = changes(Catalog(settings.catalog_path), args.system, args.old or previous(new), new)
    if args.json:
        print(json.dumps(found.public(), indent=2))
        return 0
    name = SYSTEM_NAMES.get(found.system, found.system)
    print(f"{name} {found.from_edition} -> {found.to_edition}: {len(found.added)} added, "
          f"{len(found.deleted)} deleted, {len(found.retitled)} retitled")  # fmt: skip
    for change in found.added:
        under = f"  (under {change.under[0]} {change.under[1]})" if change.under else ""
        print(f"  + {change.code}  {change.title or 'title not loaded'}{under}")
    for change in found.deleted:
        instead = f"  -> {', '.join(change.replaced_by)}" if change.replaced_by else ""
        print(f"  - {change.code}  {change.title or 'title not loaded'}{instead}")
    for change in found.retitled:
        print(f"  ~ {change.code}  {change.title}  (was: {change.was})")
    print(f"{found.note} Source: {found.source}.")
    return 0


def run_lookup(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.currency import today
    from assistant.editions import parse_day
    from assistant.validity import Validity, dated_lookup, lookup_record

    catalog = Catalog(settings.catalog_path)
    day = parse_day(args.date, "--date") if args.date else today(settings)
    found, on_date = dated_lookup(catalog, Validity(), args.code, day)
    if args.json:
        print(json.dumps(lookup_record(found, on_date), indent=2))
    elif found is not None:
        print(format_code(found))
    else:
        print(f"{on_date.code}  (title not loaded)")
    if not args.json and (on_date.valid is not None or args.date):
        mark = {True: "valid", False: "⚠ not valid", None: "not checked"}[on_date.valid]
        print(f"on {on_date.date_of_service} ({on_date.edition}): {mark}: {on_date.message}")
    return 1 if on_date.valid is False else 0


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
