"""`make demo`: a moto server holding the demo estate and its past, then web, worker and beat until Ctrl-C.

    python -m demo.run [--reset] [--port 8000] [--moto-port 5055] [--sso-port 5056] [--no-drift] [--drift-every 180]

Everything lives under var/ (gitignored): the SQLite database, the filesystem task queue, beat's
schedule, the drift's step count, and the generated secret key, admin password and Ed25519
evidence-signing key (so the demo's evidence packs are signed), which are kept between runs. On the
first run (no scans in the database) the launcher records four weeks of history (history.py) before
anything else starts. moto keeps its state in memory, so every run rebuilds the estate with the same
ids, and later runs replay the story and the drift in it without scanning. While the demo runs, the
estate drifts (drift.py) unless --no-drift. A small OpenID Connect provider (sso_provider.py, "Demo SSO")
runs on its own port beside them, so "Sign in with Demo SSO" works without an identity provider (demo/sso.py).
"""

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import deque
from pathlib import Path

import requests

from demo import drift, sso, story
from demo.estate import MEMBERS

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
DATABASE = VAR / "demo.sqlite3"
QUEUE = VAR / "queue"
SECRET_KEY_FILE = VAR / "demo-secret-key"
PASSWORD_FILE = VAR / "demo-admin-password"
SIGNING_KEY_FILE = VAR / "demo-evidence-signing-key.pem"
MOTO_LOG = VAR / "moto.log"
SSO_CONFIG = VAR / "demo-sso.json"
SSO_SECRET_FILE = VAR / "demo-sso-client-secret"
DRIFT_JOURNAL = VAR / "demo-drift-steps"
ADMIN_USERNAME = "admin"
STOP_GRACE_SECONDS = 10
STARTUP_TIMEOUT_SECONDS = 90
HISTORY_PROCESSES = 1 + len(MEMBERS)  # one per account: a step scans them all at once

_print_lock = threading.Lock()


class Stop(Exception):
    """Ctrl-C or SIGTERM: shut the demo down."""


class ChildDied(Exception):
    pass


def say(line, source="demo"):
    with _print_lock:
        print(f"[{source}] {line}", flush=True)


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m demo.run", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--reset", action="store_true", help="start over: delete the demo database, task queue and beat schedule first"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=os.environ.get("DEMO_PORT", "8000"),  # argparse converts (and checks) string defaults
        help="web server port (env DEMO_PORT, default 8000)",
    )
    parser.add_argument(
        "--moto-port",
        type=int,
        default=os.environ.get("DEMO_MOTO_PORT", "5055"),
        help="moto server port (env DEMO_MOTO_PORT, default 5055)",
    )
    parser.add_argument(
        "--sso-port",
        type=int,
        default=os.environ.get("DEMO_SSO_PORT", "5056"),
        help="demo OpenID Connect provider port (env DEMO_SSO_PORT, default 5056)",
    )
    parser.add_argument("--no-drift", action="store_true", help="keep the estate still while the demo runs")
    parser.add_argument(
        "--drift-every",
        type=int,
        default=os.environ.get("DEMO_DRIFT_SECONDS", "180"),
        help="seconds between two drift steps (env DEMO_DRIFT_SECONDS, default 180)",
    )
    return parser.parse_args(argv)


# --- var/: database, queue, secrets ---------------------------------------------------------------


def reset(why="reset"):
    doomed = [DATABASE, *VAR.glob("demo.sqlite3-*"), *VAR.glob("celerybeat-schedule*"), DRIFT_JOURNAL]
    for path in doomed:
        path.unlink(missing_ok=True)
    shutil.rmtree(QUEUE, ignore_errors=True)
    say(f"{why}: removed the demo database, task queue, beat schedule and drift journal")


def write_private(path, data):
    """Write `data` to a new file that only its owner can read (mode 0600 from the moment it exists)."""
    path.unlink(missing_ok=True)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as private:
        private.write(data)


def stored_secret(path, length):
    """A random value generated on the first run and kept (readable by the owner only) after it."""
    if not path.exists() or not path.read_text().strip():
        write_private(path, (secrets.token_urlsafe(length) + "\n").encode())
    return path.read_text().strip()


def evidence_signing_key(path=SIGNING_KEY_FILE):
    """An Ed25519 private key (unencrypted PEM, PKCS#8) made on the first run and kept after it: the demo's
    evidence packs are signed, and verify_evidence checks them. Returns its path."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if not path.exists() or b"PRIVATE KEY" not in path.read_bytes():
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        write_private(path, pem)
    return path


def evidence_signing(signing_key):
    """The signing variables for every process: the demo's key, unless the user configured their own."""
    if os.environ.get("POSTURE_EVIDENCE_SIGNING_KEY") or os.environ.get("POSTURE_EVIDENCE_HMAC_KEY"):
        return {}
    return {"POSTURE_EVIDENCE_SIGNING_KEY": str(signing_key)}


def environment(moto_port, secret_key, signing_key=None):
    # Never the user's own AWS identity or endpoints: every AWS call of the demo goes to moto.
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "posture.settings",
            "PYTHONUNBUFFERED": "1",
            "DEBUG": "true",
            "SECRET_KEY": secret_key,
            "DB": "sqlite",
            "SQLITE_PATH": str(DATABASE),
            "CELERY_BROKER_URL": "filesystem://",
            "CELERY_FILESYSTEM_FOLDER": str(QUEUE),
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{moto_port}",
            "AWS_ACCESS_KEY_ID": "demo",  # moto accepts any key; these are no one's credentials
            "AWS_SECRET_ACCESS_KEY": "demo",
            "AWS_DEFAULT_REGION": "us-east-1",
            "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
            "POSTURE_DEFAULT_REGIONS": "us-east-1,eu-west-1",
            # Beat looks every minute for accounts whose last scan is 5 minutes old: the drift shows soon.
            "POSTURE_SCAN_INTERVAL_MINUTES": "5",
            "SCAN_DUE_EVERY_SECONDS": "60",
            # moto answers at once or not at all, so retries only add backoff: Proton, which moto
            # lacks, answers 500, and 8 attempts would add ~10 s to every scan.
            "POSTURE_AWS_MAX_ATTEMPTS": "3",
            **(evidence_signing(signing_key) if signing_key else {}),
        }
    )
    return env


def single_sign_on(sso_port, web_port):
    """The demo provider's configuration, written under var/, and Posture's variables for it; none when the
    user configured their own provider (POSTURE_OIDC_ISSUER)."""
    if os.environ.get("POSTURE_OIDC_ISSUER"):
        return {}
    secret = stored_secret(SSO_SECRET_FILE, 32)
    sso.write_provider_config(SSO_CONFIG, sso_port, web_port, secret)
    return sso.environment(sso_port, secret)


def port_is_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


# --- child processes --------------------------------------------------------------------------------


class Child:
    """A process in its own process group; its output is relayed with a prefix, or to a log file."""

    def __init__(self, name, command, env, log_path=None):
        self.name = name
        self.log_path = log_path
        self.tail = deque(maxlen=25)
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=True,
        )
        self.relay = threading.Thread(target=self._relay, name=f"relay-{name}", daemon=True)
        self.relay.start()

    def _relay(self):
        log = open(self.log_path, "a", encoding="utf-8") if self.log_path else None  # noqa: SIM115
        with log or contextlib.nullcontext():
            for line in self.process.stdout:
                line = line.rstrip()
                self.tail.append(line)
                if log:
                    log.write(line + "\n")
                    log.flush()
                else:
                    say(line, self.name)

    def terminate(self):
        # The leader only: a Celery worker stops its own pool, and hangs if its pool is signalled too.
        self.process.terminate()

    def kill_group(self):
        with contextlib.suppress(ProcessLookupError):  # the whole group has already gone
            os.killpg(self.process.pid, signal.SIGKILL)

    def check_alive(self):
        if self.process.poll() is not None:
            raise ChildDied(self)


def start(children, name, command, env, **options):
    say(f"starting {name}: {' '.join(str(part) for part in command)}")
    children.append(Child(name, command, env, **options))
    return children[-1]


def stop_all(children):
    """SIGTERM every child, SIGKILL whatever is left of its process group after the grace period."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    for child in children:
        child.terminate()
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for child in children:
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            say(f"{child.name} did not stop within {STOP_GRACE_SECONDS}s: killing it")
        child.kill_group()  # also any process it left behind, such as a worker's pool
        child.process.wait()
    if children:
        say("all processes stopped")


def wait_until_answers(url, children, what):
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        for child in children:
            child.check_alive()
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.25)
    raise TimeoutError(f"{what} did not answer {url} within {STARTUP_TIMEOUT_SECONDS}s")


def services(port):
    python = sys.executable
    return [
        ("web", [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]),
        ("worker", [python, "-m", "celery", "-A", "posture", "worker", "-l", "info", "--concurrency", "2"]),
        ("beat", [python, "-m", "celery", "-A", "posture", "beat", "-l", "info"]),
    ]


# --- Django: database, accounts, admin user, first scans ------------------------------------------


def use_wal():
    """Readers and the writer no longer block each other (web, worker, the history's scanners).

    The journal mode is kept in the database file, so this holds for every process that opens it.
    """
    with contextlib.closing(sqlite3.connect(DATABASE)) as database:
        database.execute("PRAGMA journal_mode=WAL")


def setup_django():
    import django

    django.setup()  # in this process: the environment is already in place


def bring_history(estate):
    """Record the estate's past on the first run; on later runs, replay it in moto. True if recorded now."""
    from demo import history
    from demo.organization import register_accounts

    if history.is_recorded():
        say("history: already recorded; replaying the story and the drift in moto (no scans)")
        story.replay(estate)
        drift.replay(estate, drift.steps_taken(DRIFT_JOURNAL))
        found = register_accounts(estate)
        say(f"accounts: {len(found.created)} registered, {len(found.updated)} already known")
        return False
    say(f"history: recording {history.DAYS} days of the estate's past, scanned by {HISTORY_PROCESSES} processes")
    try:
        history.backfill(estate, processes=HISTORY_PROCESSES, log=say)
    except BaseException:
        close_database()
        reset("history: not finished")  # half a history would never be completed: start over next time
        raise
    return True


def save_admin(password):
    from django.contrib.auth.models import User

    user, created = User.objects.get_or_create(username=ADMIN_USERNAME)
    user.is_staff = user.is_superuser = user.is_active = True
    user.set_password(password)
    user.save()
    say(f"admin user {'created' if created else 'updated'}")


DEMO_TOKEN_NAME = "demo"  # noqa: S105 - the name of the token, not a secret


def demo_api_token():
    """A fresh API token of the admin for the banner's curl example; the previous run's is revoked."""
    from django.contrib.auth.models import User

    from api import tokens
    from api.models import ApiToken

    admin = User.objects.get(username=ADMIN_USERNAME)
    for old in ApiToken.objects.usable().filter(user=admin, name=DEMO_TOKEN_NAME):
        tokens.revoke(old)
    return tokens.issue(admin, DEMO_TOKEN_NAME, days=7)[1]


def start_drift(estate, every):
    drifter = drift.Drifter(estate, DRIFT_JOURNAL, every, say)
    drifter.start()
    say(f"drift: one change to the estate every {every}s (--no-drift keeps it still)")
    return drifter


def queue_first_scans():
    from accounts.models import AwsAccount
    from checks import scanning
    from checks.models import Scan

    queued = [
        account.name
        for account in AwsAccount.objects.enabled()
        if scanning.request_scan(account, Scan.Trigger.MANUAL) is not None
    ]
    say(f"first scans queued: {', '.join(queued) or 'none (scans already queued or running)'}")


def close_database():
    from django.db import connections

    connections.close_all()


def sso_on(env, args):
    return env.get("POSTURE_OIDC_ISSUER") == sso.issuer(args.sso_port)


def banner(port, password, seconds, sso_user="", api_token=""):
    single_sign_on_lines = ["", f'  or "Sign in with {sso.PROVIDER_NAME}" as {sso_user}'] if sso_user else []
    lines = [
        "",
        "=" * 64,
        f"  Posture demo is running (ready in {seconds:.0f}s)",
        "",
        f"  URL       http://127.0.0.1:{port}/",
        f"  user      {ADMIN_USERNAME}",
        f"  password  {password}",
        *single_sign_on_lines,
        *(
            ["", "  API (a token of the admin, shown once; more on the profile page, top right):"]
            + [f"  curl -H 'Authorization: Bearer {api_token}' 'http://127.0.0.1:{port}/api/v1/findings/?status=FAIL'"]
            if api_token
            else []
        ),
        "",
        "  Press Ctrl-C to stop every process.",
        "=" * 64,
        "",
    ]
    with _print_lock:
        print("\n".join(lines), flush=True)


# --- the run ----------------------------------------------------------------------------------------


def raise_stop(signum, frame):
    raise Stop(signal.Signals(signum).name)


def supervise(children):
    while True:
        for child in children:
            child.check_alive()
        time.sleep(0.5)


def prepare_var(args):
    """The var/ folder, the stored password and secret key, and the environment of every process."""
    VAR.mkdir(exist_ok=True)
    if args.reset:
        reset()
    for name, port in (("web", args.port), ("moto", args.moto_port), ("sso", args.sso_port)):
        if not port_is_free(port):
            raise SystemExit(
                f"[demo] port {port} ({name}) is in use; choose another with --port/--moto-port/--sso-port."
            )
    password = stored_secret(PASSWORD_FILE, 15)
    env = environment(args.moto_port, stored_secret(SECRET_KEY_FILE, 50), evidence_signing_key())
    env.update(single_sign_on(args.sso_port, args.port))
    os.environ.clear()
    os.environ.update(env)  # this process builds the estate and registers the accounts
    return password, env


def start_moto(children, port, env):
    MOTO_LOG.unlink(missing_ok=True)
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    start(children, "moto", command, env, log_path=MOTO_LOG)  # a scan makes hundreds of requests
    wait_until_answers(f"{env['AWS_ENDPOINT_URL']}/moto-api/", children, "moto")
    say(f"moto answers on {env['AWS_ENDPOINT_URL']}; its request log is {MOTO_LOG.relative_to(ROOT)}")


def start_sso(children, port, env):
    """The demo's OpenID Connect provider, when Posture is to use it."""
    if env.get("POSTURE_OIDC_ISSUER") != sso.issuer(port):
        return
    command = [sys.executable, "-m", "demo.sso_provider", "--port", str(port), "--config", str(SSO_CONFIG)]
    start(children, "sso", command, env)
    wait_until_answers(f"{sso.issuer(port)}/.well-known/openid-configuration", children, "the demo SSO provider")


def finish(children, child):
    """Wait for a one-off child to succeed and stop supervising it."""
    if child.process.wait() != 0:
        raise ChildDied(child)
    children.remove(child)


def run(args, children, threads):
    started = time.monotonic()
    password, env = prepare_var(args)
    start_moto(children, args.moto_port, env)
    # Migrating takes seconds of its own: it runs while the estate is being built.
    migrate = start(children, "migrate", [sys.executable, "manage.py", "migrate", "--noinput"], env)
    say("building the demo estate in moto, as it was four weeks ago")
    estate = story.build_past(env["AWS_ENDPOINT_URL"], log=say)
    finish(children, migrate)
    use_wal()
    # The security team's account owns the keys the organization shares: trust it.
    env["POSTURE_TRUSTED_ACCOUNT_IDS"] = os.environ["POSTURE_TRUSTED_ACCOUNT_IDS"] = estate.management_account_id
    setup_django()
    recorded_now = bring_history(estate)
    sso.give_teams_their_accounts()
    save_admin(password)
    api_token = demo_api_token()
    close_database()  # the web server and the worker own the database from here on
    start_sso(children, args.sso_port, env)
    for name, command in services(args.port):
        start(children, name, command, env)
    wait_until_answers(f"http://127.0.0.1:{args.port}/login/", children, "the web server")
    if not recorded_now:  # the history's last step was today's scan
        queue_first_scans()
        close_database()
    if not args.no_drift:
        threads.append(start_drift(estate, args.drift_every))
    banner(
        args.port,
        password,
        time.monotonic() - started,
        sso_user=sso.who() if sso_on(env, args) else "",
        api_token=api_token,
    )
    supervise(children)


def main(argv=None):
    args = parse_args(argv)
    signal.signal(signal.SIGINT, raise_stop)
    signal.signal(signal.SIGTERM, raise_stop)
    children, threads = [], []
    status = 0
    try:
        run(args, children, threads)
    except Stop as stop:
        say(f"{stop}: stopping")
    except ChildDied as died:
        child = died.args[0]
        child.relay.join(timeout=2)  # its last words may still be in the pipe
        say(f"{child.name} exited unexpectedly with status {child.process.returncode}; its last lines:")
        for line in child.tail:
            say(line, child.name)
        status = 1
    finally:
        for thread in threads:
            thread.stop()  # before moto goes away
        stop_all(children)
    return status


if __name__ == "__main__":
    sys.exit(main())
