"""Every test reads the frozen clock (tests/clock.py, tests/conftest.py) unless it is marked
`real_clock`, and the marker says why on its line: another process (a server, a worker, a browser)
keeps the real time and the test must agree with it."""

from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_every_real_clock_marker_gives_its_reason():
    unexplained = [
        f"{path.relative_to(TESTS)}:{number}"
        for path in TESTS.rglob("*.py")
        if path != Path(__file__).resolve()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "mark.real_clock" in line and not line.partition("#")[2].strip()
    ]
    assert not unexplained, f"say why the test needs the real clock: {unexplained}"


def test_the_check_sees_the_markers():
    marked = [
        p for p in TESTS.rglob("test_*.py") if p != Path(__file__).resolve() and "mark.real_clock" in p.read_text()
    ]
    assert len(marked) >= 5
