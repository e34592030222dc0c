"""A fresh clone needs nothing outside itself: no code or test reads a path outside the repository.

Two checks share this module:

- `scan_source` reads a Python file's syntax tree and finds the paths it builds that climb out of
  the repository: a relative path with a parent step or an absolute path beside the repository, and
  `Path(__file__).parents[N]` / `.parent` chains / `os.path.dirname` chains / joined parent steps that go
  above the repository's root (names assigned from such expressions are followed within the file).
  `tests/test_self_contained.py` runs it on every .py file of the repository.
- `OutsideReads` is fed by one `sys.addaudithook` (installed by tests/conftest.py): every file the
  test process opens (or directory it lists) is classified by `is_outside_repo`, and the paths
  outside the repository and the system's own locations are recorded. tests/conftest.py fails the
  test during which (or before which, at collection) such a read happened, so each pytest-xdist
  worker checks its own reads.
"""

from __future__ import annotations

import ast
import os
import re
import site
import sys
import sysconfig
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

# Where the system keeps what any process may read: devices, kernel views, configuration (TLS
# roots, time zones, locale), shared libraries and data (/usr/share/zoneinfo, fonts).
SYSTEM_LOCATIONS = ("/dev", "/proc", "/sys", "/etc", "/usr", "/lib", "/lib32", "/lib64", "/bin", "/sbin", "/run")


def _python_locations() -> list[str]:
    """The interpreter's own files: the virtualenv, the base installation, the standard library."""
    places = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    places.update(p for p in sysconfig.get_paths().values() if p)
    places.update(site.getsitepackages() if hasattr(site, "getsitepackages") else [])
    return sorted(places)


# The user's own configuration and caches: the hidden entries of the home directory (~/.cache,
# ~/.config, a library's ~/.reportlab_settings), written as a prefix ending in "/.".
HOME_DOTFILES = os.path.join(os.path.expanduser("~"), ".")


def default_allowed() -> tuple[str, ...]:
    return (*SYSTEM_LOCATIONS, *_python_locations(), tempfile.gettempdir(), HOME_DOTFILES)


def _within(path: str, root: str) -> bool:
    if root.endswith(os.sep + "."):  # a prefix: the hidden entries of a folder
        return path.startswith(root)
    root = root.rstrip(os.sep) or os.sep
    return path == root or path.startswith(root + os.sep) or root == os.sep


def is_outside_repo(path: str | bytes | os.PathLike, root: str | Path = REPO_ROOT, allowed: Iterable[str] = ()) -> bool:
    """True when `path` is neither in the repository `root` nor in one of the `allowed` locations.

    Relative paths are taken from the current directory; parent steps and symbolic links are resolved,
    so a path climbing out of the repository or a link pointing out of it counts as outside.
    """
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    path = os.path.abspath(os.fspath(path))
    places = [os.fspath(root), *allowed]
    if any(_within(path, place) for place in places):
        # A link inside the repository may still point out of it.
        real = os.path.realpath(path)
        return real != path and not any(_within(real, _real(place)) for place in places)
    real = os.path.realpath(path)
    return not any(_within(real, _real(place)) for place in places)


def _real(place: str) -> str:
    return place if place.endswith(os.sep + ".") else os.path.realpath(place)


# The audit events that read the file system by name.
READ_EVENTS = {"open", "os.listdir", "os.scandir"}


@dataclass
class OutsideReads:
    """Paths read outside `root` and `allowed`, fed by `audit` (an audit hook's callback)."""

    root: str | Path = REPO_ROOT
    allowed: tuple[str, ...] = field(default_factory=default_allowed)
    paths: list[str] = field(default_factory=list)
    _verdicts: dict[str, bool] = field(default_factory=dict, repr=False)  # files are opened again and again

    def audit(self, event: str, args: tuple) -> None:
        if event not in READ_EVENTS or not args:
            return
        path = args[0]
        if path is None or isinstance(path, int):  # a file descriptor or the current directory
            return
        try:
            path = os.path.abspath(os.fsdecode(path))
            outside = self._verdicts.get(path)
            if outside is None:
                outside = self._verdicts[path] = is_outside_repo(path, self.root, self.allowed)
        except (TypeError, ValueError):
            return
        if outside:
            self.paths.append(path)

    def take(self) -> list[str]:
        """The paths recorded since the last call, once each."""
        taken, self.paths[:] = list(dict.fromkeys(self.paths)), []
        return taken


def fail_on_outside_reads(recorder: OutsideReads, when: str) -> None:
    """Fail (the current test phase) when `recorder` holds reads not yet reported."""
    paths = recorder.take()
    if paths:
        pytest.fail(f"read outside the repository ({when}): " + ", ".join(paths), pytrace=False)


_recorders: list[OutsideReads] = []
_busy = threading.local()
_installed = False


def _hook(event: str, args: tuple) -> None:
    if event not in READ_EVENTS or getattr(_busy, "on", False):
        return
    _busy.on = True  # classifying must not record its own reads
    try:
        for recorder in list(_recorders):
            recorder.audit(event, args)
    finally:
        _busy.on = False


def install() -> None:
    """Add the process's audit hook (once: audit hooks cannot be removed)."""
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True


@contextmanager
def recording(recorder: OutsideReads) -> Iterator[OutsideReads]:
    install()
    _recorders.append(recorder)
    try:
        yield recorder
    finally:
        _recorders.remove(recorder)


def start(recorder: OutsideReads) -> OutsideReads:
    """Record for the rest of the process (the test session's recorder)."""
    install()
    _recorders.append(recorder)
    return recorder


# --- The static scan -------------------------------------------------------------------------------

SKIP_DIRS = {".venv", ".git", "node_modules", "__pycache__", ".hypothesis", ".ruff_cache", "staticfiles"}


def python_files(root: Path = REPO_ROOT) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith(".venv"))
        for name in sorted(filenames):
            if name.endswith(".py"):
                yield Path(dirpath) / name


def _climbs(text: str, in_fstring: bool = False) -> bool:
    """A relative path with a parent step (".../x" is prose, not a path; so is a range f"{a}..{b}")."""
    if in_fstring and "/" not in text and "\\" not in text:
        return False
    words = re.split(r"[\s`'\"()\[\],;:]+", text)
    return any(os.pardir in re.split(r"[/\\]", word) for word in words)


class _Heights(ast.NodeVisitor):
    """How many levels above the file an expression derived from `__file__` points.

    `__file__` is 0 (the file), its directory 1, the repository's root `depth + 1`.
    """

    def __init__(self) -> None:
        self.names: dict[str, int] = {}

    def height(self, node: ast.AST) -> int | None:
        if isinstance(node, ast.Name):
            return 0 if node.id == "__file__" else self.names.get(node.id)
        if isinstance(node, ast.Attribute):
            if node.attr == "parent":
                inner = self.height(node.value)
                return None if inner is None else inner + 1
            return None
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "parents":
            inner = self.height(node.value.value)
            index = node.slice
            if inner is not None and isinstance(index, ast.Constant) and isinstance(index.value, int):
                return inner + index.value + 1
            return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            inner = self.height(node.left)
            return None if inner is None else inner + self._up(node.right)
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in {"resolve", "absolute", "expanduser"} and isinstance(func, ast.Attribute):
                return self.height(func.value)
            if name in {"Path", "PurePath", "abspath", "realpath", "normpath", "fspath", "str"} and node.args:
                return self.height(node.args[0])
            if name == "dirname" and node.args:
                inner = self.height(node.args[0])
                return None if inner is None else inner + 1
            if name == "join" and node.args:  # os.path.join(base, *parts)
                inner = self.height(node.args[0])
                return None if inner is None else inner + sum(self._up(arg) for arg in node.args[1:])
            if name == "joinpath" and isinstance(func, ast.Attribute):  # base.joinpath(*parts)
                inner = self.height(func.value)
                return None if inner is None else inner + sum(self._up(arg) for arg in node.args)
        return None

    @staticmethod
    def _up(node: ast.AST) -> int:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            parts = node.value.replace("\\", "/").split("/")
            return parts.count(os.pardir) - sum(1 for p in parts if p not in (os.pardir, os.curdir, ""))
        return 0


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def scan_source(source: str, relative: str, root: str | Path = REPO_ROOT) -> list[Finding]:
    """The paths `source` (the file at `relative` in the repository at `root`) builds outside the repository."""
    tree = ast.parse(source, filename=relative)
    depth = len(Path(relative).parts) - 1
    root_height = depth + 1
    heights = _Heights()
    findings: list[Finding] = []
    repo_root = os.fspath(root).rstrip("/")
    repo_parent = os.path.dirname(repo_root)

    # Names first (module-level and function-level assignments, in order), then every expression.
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            value = node.value
            if value is None:
                continue
            height = heights.height(value)
            for target in targets:
                if isinstance(target, ast.Name) and height is not None:
                    heights.names[target.id] = height
    in_fstrings = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            if _climbs(text, id(node) in in_fstrings):
                findings.append(Finding(relative, node.lineno, f"relative path climbing out: {text[:80]!r}"))
            elif repo_parent not in ("", os.sep) and any(
                (word.startswith(repo_parent + "/") and not (word + "/").startswith(repo_root + "/"))
                for word in text.replace("`", " ").replace('"', " ").replace("'", " ").split()
            ):
                findings.append(Finding(relative, node.lineno, f"absolute path beside the repository: {text[:80]!r}"))
        elif isinstance(node, ast.expr) and not isinstance(node, ast.Name):
            height = heights.height(node)
            if height is not None and height > root_height:
                findings.append(
                    Finding(
                        relative,
                        node.lineno,
                        f"{ast.unparse(node)} is {height - root_height} level(s) above the repository's root",
                    )
                )
    return sorted(set(findings), key=lambda f: (f.path, f.line, f.what))


def scan_repository(root: Path = REPO_ROOT) -> list[Finding]:
    findings: list[Finding] = []
    for file in python_files(root):
        relative = file.relative_to(root).as_posix()
        findings.extend(scan_source(file.read_text(encoding="utf-8"), relative, root))
    return findings
