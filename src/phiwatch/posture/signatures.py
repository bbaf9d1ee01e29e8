"""Error-page signatures (stack traces, SQL errors, debug pages), scanned with one hyperscan
database per process. Bodies are never scanned with ``re``; labels, not matches, are kept."""

from __future__ import annotations

import hyperscan

from phiwatch.classify.hscache import cached_database

# (label, pattern): literal-ish patterns, caseless, reported once per body.
SIGNATURES: tuple[tuple[str, bytes], ...] = (
    ("python_traceback", rb"Traceback \(most recent call last\)"),
    ("java_stack_trace", rb"\bat (java|javax|org\.springframework|org\.hibernate|ca\.uhn)\.[\w$.]+\("),
    ("java_exception", rb"\b(java\.lang|java\.sql|javax\.servlet)\.\w+(Exception|Error)\b"),
    ("dotnet_exception", rb"\bSystem\.(NullReference|InvalidOperation|Data\.SqlClient\.Sql)Exception\b"),
    ("dotnet_stack_trace", rb"\bat [\w.]+\([^)]*\) in [^\n]{1,200}:line \d+"),
    ("node_stack_trace", rb"\bat [\w.<>]+ \([^)\n]{1,200}\.js:\d+:\d+\)"),
    ("php_error", rb"\b(Fatal error|Parse error|Warning)</b>:|\bStack trace:\s*#0 "),
    (
        "sql_error",
        rb"You have an error in your SQL syntax|SQLSTATE\[|\bORA-\d{5}\b|PG::\w+Error|"
        rb"psycopg2?\.errors?\.|Unclosed quotation mark|SQLite3?::|sqlite3\.OperationalError|"
        rb"\bsyntax error at or near\b|Microsoft OLE DB Provider for SQL Server",
    ),
    (
        "debug_page",
        rb"Werkzeug Debugger|<title>Django Debug|DEBUG = True|Whoops! There was an error|"
        rb"Exception Details:.{0,200}Stack Trace|Laravel.{0,40}Ignition|<title>Action Controller: Exception",
    ),
)

_FLAGS = hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_DOTALL
_db: hyperscan.Database | None = None


def _database() -> hyperscan.Database:
    global _db  # compiled once per process, on first use (no import-time work)
    if _db is None:
        exprs, ids, flags = (
            [p for _, p in SIGNATURES],
            list(range(len(SIGNATURES))),
            [_FLAGS] * len(SIGNATURES),
        )

        def build() -> hyperscan.Database:
            db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            db.compile(expressions=exprs, ids=ids, flags=flags)
            return db

        _db = cached_database(exprs, flags, ids, build)  # kept on disk: compiling costs ~0.1 s a run
    return _db


def scan(body: bytes) -> set[str]:
    """Labels of the signatures found in ``body``."""
    found: set[str] = set()
    if not body:
        return found

    def on_match(id_: int, start: int, end: int, flags: int, context: object) -> bool | None:
        found.add(SIGNATURES[id_][0])
        return None

    _database().scan(body, match_event_handler=on_match)
    return found
