"""Every sentence the code hands to the catalog has its Vietnamese; the command line speaks
Vietnamese by default and English with ``--lang en``."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner

import recordsys
from recordsys.cli import main
from recordsys.i18n import translate

SOURCE = Path(recordsys.__file__).resolve().parent
PO = SOURCE / "locale" / "vi" / "LC_MESSAGES" / "recordsys.po"

#: the roots whose subclasses take a catalog message id; position of the message among the
#: positional arguments (default 0)
ROOTS = {"DomainError", "LocalizedError", "Text"}
POSITION = {"ValidationError": 1, "WorkflowError": 1, "_only": 2, "_text": 2, "translate": 0,
            "HubRefusal": 2, "_verdict": 1, "Meaning": 0}
#: subclasses whose constructor builds its own message id from other arguments
OWN_MESSAGE = {"SipRefused", "Circular05Error"}


def _catalog() -> dict[str, str]:
    with PO.open("rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id}


def _trees():
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _message_classes(trees) -> set[str]:
    names, classes = set(ROOTS), []
    for _path, tree in trees:
        classes += [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    grew = True
    while grew:
        grew = False
        for cls in classes:
            bases = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", None) for b in cls.bases}
            if cls.name not in names and bases & names:
                names.add(cls.name)
                grew = True
    return names - OWN_MESSAGE


def _messages():
    """(where, message node) for every call that hands a sentence to the catalog."""
    trees = list(_trees())
    callees = _message_classes(trees) | set(POSITION)
    for path, tree in trees:
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name not in callees:
                continue
            index = POSITION.get(name, 0)
            arg = next((k.value for k in node.keywords if k.arg == "message"), None)
            if arg is None and len(node.args) > index:
                arg = node.args[index]
            if arg is not None:
                yield f"{path.relative_to(SOURCE.parent)}:{node.lineno}", arg


def _placeholders_only(msgid: str) -> bool:
    return not re.sub(r"\$\{\w+\}", "", msgid).strip(" .:;,")


def test_the_catalog_is_valid_and_has_no_duplicates():
    text = PO.read_text(encoding="utf-8")
    ids = re.findall(r'^msgid "(.*)"$', text, flags=re.MULTILINE)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    assert _catalog()


def test_every_message_id_has_its_vietnamese():
    catalog = _catalog()
    missing, formatted = [], []
    for where, node in _messages():
        if isinstance(node, ast.JoinedStr):
            formatted.append(where)  # an f-string is no message id: use ${name} and mapping=
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and not _placeholders_only(node.value) and not catalog.get(node.value)):
            missing.append(f"{where}: {node.value}")
    assert not formatted, "f-strings handed to the catalog:\n" + "\n".join(formatted)
    assert not missing, "message ids without Vietnamese:\n" + "\n".join(missing)


def test_placeholders_survive_translation():
    """The Vietnamese uses the message id's names (or the ``*_vi`` twin of a name that is data in
    both languages), and drops none of them."""
    for msgid, msgstr in _catalog().items():
        wanted = set(re.findall(r"\$\{(\w+)\}", msgid))
        got = set(re.findall(r"\$\{(\w+)\}", msgstr))
        unknown = {name for name in got - wanted if not name.endswith("_vi")}
        dropped = {name for name in wanted - got if f"{name}_vi" not in got}
        assert not unknown and not dropped, (msgid, msgstr)


def test_translate_fills_and_localizes_nested_errors():
    from recordsys.core.services import ValidationError

    inner = ValidationError("name", "An organization needs a name.")
    assert translate("${error}", "vi", {"error": inner}) == "Cơ quan, tổ chức cần có tên."
    assert translate("${error}", "en", {"error": inner}) == "An organization needs a name."
    assert translate("User ${username} already exists.", "vi", {"username": "vanthu"}) == \
        "Người dùng vanthu đã tồn tại."


@pytest.mark.parametrize("args, database, vi, en", [
    (["org", "list"], "mysql://u@h/db", "Không hỗ trợ cơ sở dữ liệu 'mysql'", "Unsupported database 'mysql'"),
    (["trust", "remove", "abc"], None, "ít nhất 8 chữ số thập lục phân", "at least the first 8 hexadecimal digits"),
    (["search", "reindex"], "sqlite:///{tmp}/empty.db", "Cơ sở dữ liệu chưa được khởi tạo", "The database has no tables yet"),
])
def test_cli_speaks_vietnamese_by_default_and_english_on_request(tmp_path, args, database, vi, en):
    env = {"RECORDSYS_DATA_DIR": str(tmp_path / "data"), "RECORDSYS_LANG": None,
           "RECORDSYS_DATABASE_URL": (database or "sqlite:///{tmp}/none.db").format(tmp=tmp_path)}
    runner = CliRunner()
    default = runner.invoke(main, args, env=env)
    english = runner.invoke(main, ["--lang", "en", *args], env=env)
    assert default.exit_code != 0 and english.exit_code != 0
    assert vi in default.output and en not in default.output, default.output
    assert en in english.output and vi not in english.output, english.output


def test_message_tables_have_their_vietnamese():
    from recordsys.dossiers.validation import MESSAGES as FIELD_MESSAGES
    from recordsys.ingest.messages import MESSAGES as REASONS

    catalog = _catalog()
    ids = [message for message, _names in REASONS.values()] + list(FIELD_MESSAGES.values())
    assert [m for m in ids if not catalog.get(m)] == []


def test_command_reports_follow_the_language(tmp_path):
    env = {"RECORDSYS_DATA_DIR": str(tmp_path / "data"), "RECORDSYS_LANG": None,
           "RECORDSYS_DATABASE_URL": f"sqlite:///{tmp_path}/recordsys.db"}
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    default = runner.invoke(main, ["storage", "sweep"], env=env)
    english = runner.invoke(main, ["--lang", "en", "storage", "sweep"], env=env)
    assert default.exit_code == 0 and english.exit_code == 0
    assert "Đã xóa 0 tệp không còn được dùng" in default.output and "Removed" not in default.output
    assert "Removed 0 unreferenced file(s)" in english.output
