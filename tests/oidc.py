"""The OpenID Connect provider process (demo/sso_provider.py) for tests, and a browser that signs in through it."""

import re
import socket
import subprocess
import sys
import time

import requests

from tests.project import PROJECT_ROOT


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_provider(port, config_path):
    """Start the provider on 127.0.0.1:`port` with the configuration file at `config_path`; wait until its
    discovery document answers. The caller stops it (terminate, wait)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "demo.sso_provider", "--port", str(port), "--config", str(config_path)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            requests.get(f"http://127.0.0.1:{port}/.well-known/openid-configuration", timeout=1).raise_for_status()
            return process
        except requests.RequestException:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                process.wait()
                raise RuntimeError("the OpenID Connect provider did not start") from None
            time.sleep(0.1)


def sign_in(base_url, provider_name, next_path="/"):
    """Click "Sign in with <provider_name>" on the sign-in page and follow every redirect, as a browser does;
    returns the browser (a requests session) and the last answer."""
    browser = requests.Session()
    page = browser.get(f"{base_url}/login/?next={next_path}", timeout=10)
    link = re.search(r'href="(/oidc/authenticate/[^"]*)">Sign in with ' + re.escape(provider_name), page.text)
    assert link, page.text
    answer = browser.get(base_url + link.group(1).replace("&amp;", "&"), timeout=30)
    return browser, answer
