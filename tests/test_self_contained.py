"""A fresh clone passes anywhere: no code or test reads a path outside the repository.

The static scan covers every .py file (paths built to climb out); the runtime guard
(tests/conftest.py, tests/self_contained.py) covers every file this test process opens.
"""

import os
import sys
import tempfile
from pathlib import Path

import pytest

from tests import self_contained
from tests.self_contained import REPO_ROOT, OutsideReads, is_outside_repo, recording, scan_source


def test_no_python_file_builds_a_path_outside_the_repository():
    findings = self_contained.scan_repository()
    assert not findings, "\n".join(map(str, findings))


def test_the_scan_walks_the_repository_but_not_the_virtualenv():
    files = {path.relative_to(REPO_ROOT).as_posix() for path in self_contained.python_files()}
    assert {"manage.py", "tests/conftest.py", "esmart/settings/base.py", "tests/api/test_contract.py"} <= files
    assert not any(f.startswith((".venv/", ".git/")) for f in files)


ROOT = "/home/ci/clone"


def up(source: str) -> str:
    """The cases write a parent step as UP, so that this file does not climb out itself."""
    return source.replace("UP", os.pardir)


# (source in tests/api/test_x.py of a repository at ROOT, number of findings)
SCAN_CASES = [
    # The line this guard was written for: tests/api/ is 2 deep, parents[3] is the clone's parent.
    ('CONTRACT = Path(__file__).resolve().parents[3] / "shared" / "api" / "contract.md"', 1),
    ('CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "contract" / "contract.md"', 0),
    ("ROOT = Path(__file__).parent.parent.parent", 0),
    ("ROOT = Path(__file__).parent.parent.parent.parent", 1),
    ('ROOT = Path(__file__).resolve().parents[2]\nSHARED = ROOT.parent / "shared"', 1),
    ('ROOT = Path(__file__).resolve().parents[2]\nSHARED = ROOT / "UP" / "shared"', 2),  # the climb and the step
    ("import os\nHERE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))", 0),
    ("import os\nABOVE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))", 1),
    ('open("UP/shared/api/contract.md")', 1),
    ('Path("UP") / "shared"', 1),
    ('p = "/home/ci/shared/api/endpoints.tsv"', 1),
    ('p = "/home/ci/clone/docs/contract/contract.md"', 0),
    ('"""Routes like .../import and GET .../{id} are prose."""', 0),
    ('"""The contract is UP/shared/api/contract.md."""', 1),  # a citation of a file beside the clone
    ('f"{first}..{last}"', 0),  # a range
    ('f"{root}/UP/shared"', 1),
]


@pytest.mark.parametrize(("source", "expected"), SCAN_CASES)
def test_the_scan_finds_each_way_out(source, expected):
    findings = scan_source(up(source), "tests/api/test_x.py", ROOT)
    assert len(findings) == expected, findings


def test_is_outside_repo(tmp_path):
    repo, system = tmp_path / "clone", tmp_path / "usr"
    (repo / "tests").mkdir(parents=True)
    (tmp_path / "shared").mkdir()
    system.mkdir()
    (repo / "tests" / "link").symlink_to(tmp_path / "shared")
    allowed = (str(system),)
    cases = {
        repo / "tests" / "conftest.py": False,
        repo: False,
        system / "share" / "zoneinfo" / "Europe" / "Oslo": False,
        tmp_path / "shared" / "api" / "contract.md": True,
        repo / os.pardir / "shared" / "contract.md": True,  # climbing out by name
        repo / "tests" / "link" / "contract.md": True,  # a link in the clone that points out of it
        tmp_path / "clone-other" / "x.py": True,  # a sibling whose name starts like the clone's
        Path("/"): True,
    }
    for path, outside in cases.items():
        assert is_outside_repo(path, repo, allowed) is outside, path
    assert is_outside_repo(os.fsencode(tmp_path / "shared" / "x"), repo, allowed)


def test_the_system_and_the_interpreter_are_not_outside():
    allowed = self_contained.default_allowed()
    for path in [
        os.__file__,  # the standard library
        pytest.__file__,  # the virtualenv
        sys.executable,
        "/usr/share/zoneinfo/Europe/Oslo",
        "/etc/ssl/certs/ca-certificates.crt",
        "/dev/urandom",
        "/proc/self/status",
        os.path.expanduser("~/.reportlab_settings"),  # a library's settings in the home directory
        os.path.expanduser("~/.cache/selenium/x"),
        os.path.join(tempfile.gettempdir(), "pytest-of-someone", "x"),
        REPO_ROOT / "docs" / "contract" / "contract.md",
    ]:
        assert not is_outside_repo(path, REPO_ROOT, allowed), path


def test_the_home_directory_is_outside_but_its_hidden_entries():
    home = os.path.expanduser("~")
    allowed = self_contained.default_allowed()
    assert not is_outside_repo(os.path.join(home, ".config", "x"), "/nonexistent", allowed)
    if not is_outside_repo(os.path.join(home, "x"), "/nonexistent", allowed):
        pytest.skip(f"the home directory {home} is a system location")
    assert is_outside_repo(os.path.join(home, "shared", "api", "contract.md"), "/nonexistent", allowed)


def test_a_folder_beside_the_repository_is_outside():
    sibling = REPO_ROOT.parent / "shared" / "api" / "contract.md"
    if not is_outside_repo(REPO_ROOT.parent / "x", "/nonexistent", self_contained.default_allowed()):
        pytest.skip(f"the clone's parent {REPO_ROOT.parent} is a system location")
    assert is_outside_repo(sibling, REPO_ROOT, self_contained.default_allowed())


def test_the_audit_hook_records_reads_outside_and_the_check_fails_on_them(tmp_path):
    """End to end: real opens and listings go through the process's audit hook to a recorder."""
    repo, shared = tmp_path / "clone", tmp_path / "shared"
    repo.mkdir()
    shared.mkdir()
    (repo / "inside.txt").write_text("in")
    (shared / "contract.md").write_text("out")
    recorder = OutsideReads(root=repo, allowed=())
    with recording(recorder):
        assert (repo / "inside.txt").read_text() == "in"
        assert (shared / "contract.md").read_text() == "out"
        os.listdir(shared)
        fd = os.open(shared / "contract.md", os.O_RDONLY)
        os.close(fd)
    (shared / "contract.md").read_text()  # after recording: not seen
    assert recorder.paths == [str(shared / "contract.md"), str(shared), str(shared / "contract.md")]
    with pytest.raises(pytest.fail.Exception, match="read outside the repository") as failure:
        self_contained.fail_on_outside_reads(recorder, "during this test")
    assert str(shared / "contract.md") in str(failure.value) and str(repo / "inside.txt") not in str(failure.value)
    self_contained.fail_on_outside_reads(recorder, "after: nothing left")  # reported once


def test_this_session_records_its_reads():
    """tests/conftest.py feeds the session's recorder from the same hook (it is not a copy)."""
    from tests import conftest

    assert conftest.OUTSIDE_READS in self_contained._recorders
    assert conftest.OUTSIDE_READS.root == REPO_ROOT
