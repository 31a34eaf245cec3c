"""scripts/test-prerequisites: the one set-up step of `make test` and `.ci/run`.

The script is run for real, with stand-ins for the system commands first on PATH so a test can say which
packages are "installed" without touching the machine. The stand-in `apt-cache` writes far more than a
pipe buffer after its Candidate line, as the real one does for a package with many versions: a
`apt-cache … | grep -q` under pipefail fails there (the writer dies of SIGPIPE), which is the bug
this script replaced.
"""

import os
import stat
import subprocess

import pytest

from tests.project import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "scripts" / "test-prerequisites"
PACKAGES = ["chromium", "poppler-utils", "libharfbuzz-subset0"]


def stand_in(folder, name, body):
    path = folder / name
    path.write_text("#!/usr/bin/env bash\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


@pytest.fixture
def machine(tmp_path):
    """A PATH of stand-ins: no package installed, apt offers them all, Redis answers, running as root."""
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    log = tmp_path / "apt.log"
    installed = tmp_path / "installed"
    installed.mkdir()
    stand_in(bin_, "dpkg-query", f'[ -e "{installed}/${{@: -1}}" ] && echo "install ok installed" || exit 1\n')
    stand_in(
        bin_,
        "apt-cache",
        'echo "$2:"; echo "  Installed: (none)"; echo "  Candidate: 1.0-1"\n'
        'for i in $(seq 1 20000); do echo "     1.0-$i 500 http://deb.example/debian bookworm/main"; done\n',
    )
    stand_in(
        bin_,
        "apt-get",
        f'echo "apt-get $*" >> "{log}"\n'
        f'if [[ " $* " == *" install "* ]]; then for p in "$@"; do touch "{installed}/$p"; done; fi\n',
    )
    stand_in(bin_, "id", 'echo "${FAKE_UID:-0}"\n')
    stand_in(bin_, "redis-cli", "echo PONG\n")

    def run(**variables):
        env = {"PATH": f"{bin_}:{os.environ['PATH']}", "HOME": str(tmp_path), **variables}
        return subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60, check=False)

    run.log = log
    run.installed = installed
    return run


def test_root_on_a_machine_without_the_packages_installs_them(machine):
    result = machine()

    assert result.returncode == 0, result.stderr
    installs = [line for line in machine.log.read_text().splitlines() if " install " in line]
    assert len(installs) == 1
    assert all(package in installs[0] for package in PACKAGES)


def test_nothing_is_installed_when_everything_is_there(machine):
    for package in PACKAGES:
        (machine.installed / package).touch()

    result = machine()

    assert result.returncode == 0, result.stderr
    assert not machine.log.exists()


def test_without_root_it_names_the_command_to_run(machine):
    result = machine(FAKE_UID="1000")

    assert result.returncode != 0
    assert "sudo apt-get install -y --no-install-recommends chromium poppler-utils libharfbuzz-subset0" in result.stderr
    assert not machine.log.exists()


def test_postgres_that_does_not_answer_is_a_failure_with_the_command_to_start_it(machine, tmp_path):
    for package in PACKAGES:
        (machine.installed / package).touch()
    stand_in(tmp_path / "bin", "pg_isready", "exit 2\n")

    result = machine(DB="postgres", DB_HOST="192.0.2.1", FAKE_UID="1000")

    assert result.returncode != 0
    assert "PostgreSQL does not answer on 192.0.2.1:5432" in result.stderr
