"""`make lab` starts JupyterLab on the start notebook (started headless here, with a token)."""

import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager

import pytest

from ragft import ROOT

pytestmark = pytest.mark.slow  # starts JupyterLab


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_lab(extra_args: str = ""):
    """`make lab` started headless on a free port with a token; yields (base URL, token) once it answers."""
    port, token = _free_port(), secrets.token_hex(16)
    args = f"--no-browser --ip=127.0.0.1 --port={port} --IdentityProvider.token={token} --allow-root {extra_args}"
    proc = subprocess.Popen(["make", "lab", f"LAB_ARGS={args}"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline, status = time.time() + 120, None
        while time.time() < deadline and status is None:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5) as r:
                    status = r.status
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                time.sleep(1)
        assert status == 200, "JupyterLab did not answer within 120 s"
        yield base, token
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def test_make_lab_serves_the_start_notebook():
    with running_lab() as (base, token):
        with urllib.request.urlopen(f"{base}/api/contents/notebooks/00_start_here.ipynb?token={token}") as r:
            assert r.status == 200 and b"Start here" in r.read()
        with urllib.request.urlopen(f"{base}/?token={token}") as r:  # where the browser lands
            assert r.status == 200 and r.url.split("?")[0].endswith("/lab/tree/notebooks/00_start_here.ipynb"), r.url
            assert b"JupyterLab" in r.read()
