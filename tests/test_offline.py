"""The tests run offline: the network is blocked here and in every notebook kernel."""

import socket
import subprocess
import sys

import pytest

from ragft import ROOT


def test_a_socket_to_the_outside_fails():
    with pytest.raises(OSError, match="network blocked"):
        socket.create_connection(("93.184.216.34", 80), timeout=2)
    with pytest.raises(OSError, match="network blocked"):
        socket.getaddrinfo("huggingface.co", 443)


def test_loopback_stays_open():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    with socket.create_connection(server.getsockname(), timeout=2):
        pass
    server.close()


def test_subprocesses_and_kernels_are_offline_too():
    code = "import socket\ntry:\n    socket.create_connection(('1.1.1.1', 443), timeout=2)\nexcept OSError as e:\n    print(e)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert "network blocked" in out.stdout, out


def test_hub_libraries_are_in_offline_mode():
    import os

    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["TRANSFORMERS_OFFLINE"] == "1"


def test_notebook_kernels_are_offline(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from ragft.course.runner import execute

    nb = new_notebook(cells=[new_code_cell(
        "import socket\ntry:\n    socket.create_connection(('1.1.1.1', 443), timeout=2)\n    print('ONLINE')\n"
        "except OSError as e:\n    print(e)")])
    path = tmp_path / "probe.ipynb"
    nbformat.write(nb, path)
    execute(path, out_dir=tmp_path / "out")
    text = nbformat.read(tmp_path / "out" / "probe.ipynb", as_version=4).cells[0].outputs[0]["text"]
    assert "network blocked" in text
