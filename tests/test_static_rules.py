"""The project's own static rules (T-36), checked over hub/ by reading its syntax trees.

ruff's bandit rules (S) and mypy cover the general cases in `make lint`, which CI runs first;
these rules cover the Hub's own promises, which no general tool knows: only the sanitizer makes
Markup, template source is never built from input, SQL text is never pasted together, files sent
are never named by the request, every index writer waits a bounded time for the lock, and a
redirect target from the request goes through a check first. A semgrep run would do the same, but
it is a heavy tool for six rules; these take about a second.

A line that breaks a rule for a reviewed reason carries `# noqa: HUBnnn - the reason`; ruff keeps
such markers (the HUB prefix is declared external in pyproject.toml). Each rule is also fed a bad
snippet below, so a rule that can no longer fail is caught too.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HUB = ROOT / "hub"

MARKUP = "HUB001"  # Markup() outside the sanitizer
TEMPLATE_STRING = "HUB002"  # render_template_string with a template source that is not a literal
SQL_TEXT = "HUB003"  # sqlalchemy text() built with an f-string, +, % or .format()
SEND_FILE = "HUB004"  # send_file with a path taken from the request or a route argument
WRITER = "HUB005"  # Whoosh writer() without a timeout
REDIRECT = "HUB006"  # redirect to a request value that went through no check
SAFE_FILTER = "HUB007"  # |safe or autoescape off in a template
NOQA_REASON = "HUB008"  # a noqa for a security rule without a reason, or a blanket noqa

RULES = {
    MARKUP: "Markup() outside hub/markup.py",
    TEMPLATE_STRING: "render_template_string() with a non-literal template",
    SQL_TEXT: "text() with an f-string or concatenated SQL",
    SEND_FILE: "send_file() with a path from the request or a route argument",
    WRITER: "Whoosh writer() without timeout= (outside hub/search/engine/)",
    REDIRECT: "redirect() to a request value that went through no check",
    SAFE_FILTER: "|safe or autoescape false in a template",
    NOQA_REASON: "noqa for an S or HUB rule without a reason, or a blanket noqa",
}

# Request attributes that carry what the client sent.
REQUEST_INPUT = {
    "args", "form", "values", "files", "json", "data", "get_json", "cookies", "headers",
    "referrer", "view_args", "full_path", "url", "base_url", "host_url", "host",
}  # fmt: skip
# Calls that hand their receiver's or arguments' value on unchanged: no check happens in them.
PASSTHROUGH_METHODS = {
    "get", "getlist", "strip", "lstrip", "rstrip", "lower", "upper", "format", "replace",
    "decode", "encode", "join", "removeprefix", "removesuffix", "joinpath", "resolve",
}  # fmt: skip
PASSTHROUGH_FUNCTIONS = {"str", "Path", "PurePath", "PosixPath", "join", "fspath", "unquote"}
ROUTE_DECORATORS = {"route", "get", "post", "put", "patch", "delete"}
MARKUP_HOME = HUB / "markup.py"
ENGINE_HOME = HUB / "search" / "engine"


@dataclass(frozen=True)
class Finding:
    rule: str
    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule} {RULES[self.rule]}"


def _called_name(call: ast.Call) -> str | None:
    """`f` for f(...), `attr` for x.attr(...)."""
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _is_request_input(node: ast.AST) -> bool:
    """request.args, request.form[...], request.get_json(): the root of the chain is `request`."""
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        if isinstance(node, ast.Call):
            node = node.func
            continue
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            return node.value.id == "request" and node.attr in REQUEST_INPUT
        node = node.value
    return False


class _Taint:
    """Whether an expression carries a value from a source, within one function. Names assigned
    from such an expression carry it too; a call that is not a plain pass-through (a check such as
    safe_next() or safe_join()) ends it. Flow-insensitive on purpose: simpler, and it errs towards
    a finding."""

    def __init__(self, function: ast.AST, is_source, seed: set[str]) -> None:
        self.is_source = is_source
        self.names = set(seed)
        assignments = [
            n
            for n in ast.walk(function)
            if isinstance(n, ast.Assign | ast.AnnAssign | ast.AugAssign)
        ]
        changed = True
        while changed:
            changed = False
            for node in assignments:
                if node.value is None or not self.carries(node.value):
                    continue
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    for name in ast.walk(target):
                        if isinstance(name, ast.Name) and name.id not in self.names:
                            self.names.add(name.id)
                            changed = True

    def carries(self, node: ast.AST) -> bool:
        if self.is_source(node):
            return True
        if isinstance(node, ast.Name):
            return node.id in self.names
        if isinstance(node, ast.Call):
            name = _called_name(node)
            parts = list(node.args) + [k.value for k in node.keywords]
            if isinstance(node.func, ast.Attribute) and name in PASSTHROUGH_METHODS:
                return self.carries(node.func.value) or any(self.carries(p) for p in parts)
            if name in PASSTHROUGH_FUNCTIONS:
                return any(self.carries(p) for p in parts)
            return False
        if isinstance(node, ast.Attribute | ast.Subscript | ast.Starred):
            return self.carries(node.value)
        if isinstance(node, ast.Lambda | ast.Constant):
            return False
        return any(self.carries(child) for child in ast.iter_child_nodes(node))


def _is_built_string(node: ast.AST) -> bool:
    """An f-string, a + or % of strings, or a .format() call: SQL pasted together."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return True
    return isinstance(node, ast.Call) and _called_name(node) == "format"


def _route_parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr in ROUTE_DECORATORS:
            arguments = function.args
            return {a.arg for a in arguments.posonlyargs + arguments.args + arguments.kwonlyargs}
    return set()


def _first_argument(call: ast.Call, keyword: str) -> ast.AST | None:
    if call.args:
        return call.args[0]
    return next((k.value for k in call.keywords if k.arg == keyword), None)


def _functions(tree: ast.Module) -> Iterator[ast.AST]:
    """The module itself (for top-level code) and every function in it."""
    yield tree
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _own_calls(scope: ast.AST) -> Iterator[ast.Call]:
    """Calls in this scope, not in functions nested in it (those are scopes of their own)."""
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if isinstance(node, ast.Call):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def python_findings(source: str, path: Path) -> list[Finding]:
    """Every finding of HUB001-HUB006 and HUB008 in one module's source."""
    tree = ast.parse(source)
    shown = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
    markup_names = {"Markup"} | {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.name == "Markup"
    }
    in_engine = path.is_relative_to(ENGINE_HOME)
    found: list[Finding] = []

    def add(rule: str, node: ast.AST) -> None:
        found.append(Finding(rule, shown, node.lineno))

    for scope in _functions(tree):
        from_request = _Taint(scope, _is_request_input, set())
        routed = (
            _route_parameters(scope)
            if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef)
            else set()
        )
        from_user = _Taint(scope, _is_request_input, routed)
        built_sql = _Taint(scope, _is_built_string, set())
        for call in _own_calls(scope):
            name = _called_name(call)
            if name in markup_names and path != MARKUP_HOME:
                add(MARKUP, call)
            elif name == "render_template_string":
                template = _first_argument(call, "source")
                if not (isinstance(template, ast.Constant) and isinstance(template.value, str)):
                    add(TEMPLATE_STRING, call)
            elif name == "text" and (
                isinstance(call.func, ast.Name) or isinstance(call.func.value, ast.Name)
            ):
                statement = _first_argument(call, "text")
                if statement is not None and built_sql.carries(statement):
                    add(SQL_TEXT, call)
            elif name == "send_file":
                target = _first_argument(call, "path_or_file")
                if target is not None and from_user.carries(target):
                    add(SEND_FILE, call)
            elif name == "writer" and isinstance(call.func, ast.Attribute) and not in_engine:
                if not any(k.arg == "timeout" for k in call.keywords):
                    add(WRITER, call)
            elif name == "redirect":
                target = _first_argument(call, "location")
                if target is not None and from_request.carries(target):
                    add(REDIRECT, call)
    found += [Finding(NOQA_REASON, shown, n) for n in _unexplained_noqa(source)]
    return sorted(set(found), key=lambda f: (f.line, f.rule))


NOQA = re.compile(r"#\s*noqa\b(?P<codes>:\s*[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)?(?P<rest>.*)")


def _unexplained_noqa(source: str) -> Iterator[int]:
    """Lines with a blanket `# noqa`, or a noqa naming an S or HUB rule with no reason after it."""
    for number, line in enumerate(source.splitlines(), start=1):
        match = NOQA.search(line)
        if not match:
            continue
        codes = match["codes"] or ""
        if not codes:
            yield number
        elif re.search(r"\b(S|HUB)[0-9]+", codes):
            reason = re.sub(r"[^A-Za-z]+", " ", match["rest"]).split()
            if len(reason) < 2:
                yield number


SAFE_IN_TEMPLATE = re.compile(r"\|\s*safe\b|\bautoescape\s+false\b", re.I)


def template_findings(source: str, shown: str) -> list[Finding]:
    """HUB007: a template that marks a value safe or turns escaping off. Values already safe come
    from render_markdown(), which returns Markup, so no template needs either."""
    return [
        Finding(SAFE_FILTER, shown, number)
        for number, line in enumerate(source.splitlines(), start=1)
        if SAFE_IN_TEMPLATE.search(line) and "noqa: HUB007" not in line
    ]


def _suppressed(finding: Finding, lines: list[str]) -> bool:
    """A reviewed exception: the line says `# noqa: HUBnnn - reason` (the reason is checked by
    HUB008)."""
    line = lines[finding.line - 1]
    return bool(re.search(rf"#\s*noqa:[^#]*\b{finding.rule}\b", line))


def hub_findings() -> list[Finding]:
    """Every unreviewed finding over hub/: the Python modules and the templates."""
    found: list[Finding] = []
    for path in sorted(HUB.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        found += [f for f in python_findings(source, path) if not _suppressed(f, lines)]
    for path in sorted(HUB.rglob("templates/**/*")):
        if path.suffix in {".html", ".txt", ".xml", ".j2"}:
            shown = path.relative_to(ROOT).as_posix()
            found += template_findings(path.read_text(encoding="utf-8"), shown)
    return found


def test_hub_has_no_unreviewed_finding_of_the_project_rules():
    found = hub_findings()
    print(f"T-36 project rules: {len(found)} unreviewed findings over hub/")
    assert found == [], "\n".join(map(str, found))


# Each rule, fed a snippet that breaks it. Paths are placed in hub/ (outside the sanitizer and the
# search engine) so the rule's own exemptions do not apply.
SOMEWHERE = HUB / "somewhere" / "views.py"

BAD = {
    MARKUP: """
        from markupsafe import Markup
        def title(doc):
            return Markup(f"<b>{doc.title}</b>")
    """,
    TEMPLATE_STRING: """
        from flask import render_template_string, request
        def hello():
            return render_template_string("Hello " + request.args["name"])
    """,
    SQL_TEXT: """
        from sqlalchemy import text
        def count(table):
            sql = f"SELECT count(*) FROM {table}"
            return db.session.execute(text(sql))
    """,
    SEND_FILE: """
        from flask import send_file
        @bp.get("/files/<path:name>")
        def download(name):
            return send_file(Path("/srv/files") / name)
    """,
    WRITER: """
        def add(ix, fields):
            with ix.writer() as w:
                w.add_document(**fields)
    """,
    REDIRECT: """
        from flask import redirect, request
        def back():
            target = request.args.get("next", "/").strip()
            return redirect(target)
    """,
    NOQA_REASON: """
        import pickle
        def load(f):
            return pickle.load(f)  # noqa: S301
    """,
}

GOOD = {
    MARKUP: """
        from hub.markup import render_markdown
        def body(doc):
            return render_markdown(doc.body)
    """,
    TEMPLATE_STRING: """
        from flask import render_template_string
        def hello(name):
            return render_template_string("Hello {{ name }}", name=name)
    """,
    SQL_TEXT: """
        from sqlalchemy import text
        def count(limit):
            return db.session.execute(text("SELECT id FROM documents LIMIT :n"), {"n": limit})
    """,
    SEND_FILE: """
        from flask import send_file
        @bp.get("/files/<int:file_id>")
        def download(file_id):
            stored = lookup(file_id)
            return send_file(path_for(stored.name))
    """,
    WRITER: """
        def add(ix, fields):
            with ix.writer(timeout=5.0) as w:
                w.add_document(**fields)
    """,
    REDIRECT: """
        from flask import redirect, request, url_for
        def back():
            return redirect(safe_next(request.args.get("next")) or url_for("pages.home"))
    """,
    NOQA_REASON: """
        import pickle
        def load(f):
            return pickle.load(f)  # noqa: S301 - our own run file, written by this process
    """,
}


@pytest.mark.parametrize("rule", sorted(BAD))
def test_each_rule_finds_its_bad_snippet(rule):
    found = python_findings(textwrap.dedent(BAD[rule]), SOMEWHERE)
    assert [f.rule for f in found] == [rule]


@pytest.mark.parametrize("rule", sorted(GOOD))
def test_each_rule_passes_the_checked_form_of_its_snippet(rule):
    assert python_findings(textwrap.dedent(GOOD[rule]), SOMEWHERE) == []


def test_writer_rule_leaves_the_search_engine_package_alone():
    # hub/search/engine/ holds the bulk rebuild, which owns a fresh index no one else writes to.
    path = ENGINE_HOME / "bulk.py"
    assert python_findings(textwrap.dedent(BAD[WRITER]), path) == []


def test_markup_rule_leaves_the_sanitizer_alone():
    assert python_findings(textwrap.dedent(BAD[MARKUP]), MARKUP_HOME) == []


def test_a_reviewed_finding_needs_its_rule_named_on_the_line():
    source = textwrap.dedent(BAD[WRITER]).replace(
        "as w:", "as w:  # noqa: HUB005 - a throwaway index in a temporary folder"
    )
    (finding,) = python_findings(source, SOMEWHERE)
    assert _suppressed(finding, source.splitlines())
    assert not _suppressed(finding, textwrap.dedent(BAD[WRITER]).splitlines())


@pytest.mark.parametrize(
    "line",
    [
        "{{ doc.body|safe }}",
        "{{ doc.body | safe }}",
        "{% autoescape false %}{{ x }}{% endautoescape %}",
    ],
)
def test_template_rule_finds_safe_filter_and_autoescape_off(line):
    assert [f.rule for f in template_findings(line, "t.html")] == [SAFE_FILTER]


def test_template_rule_passes_plain_output():
    assert template_findings("{{ body }} {{ doc.title|e }} {{ safe_count }}", "t.html") == []
