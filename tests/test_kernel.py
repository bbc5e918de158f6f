"""The course's kernel extension: a later cell run first after a restart says which earlier cell to run."""

import json
import os

from ragft import ROOT
from ragft.course import kernel

NOTEBOOK_01 = ROOT / "solutions" / "01_parametric_vs_nonparametric.ipynb"


def test_the_hint_names_the_section_that_defines_the_name():
    assert kernel.where_defined("reader", NOTEBOOK_01) == "1.2 Watch knowledge go into the weights"
    assert kernel.where_defined("fine_tune", NOTEBOOK_01) == "1.5 A non-parametric store: explicit, searchable, current"
    assert kernel.where_defined("plt", NOTEBOOK_01) == "01 · Parametric versus non-parametric knowledge"
    assert kernel.where_defined("raeder", NOTEBOOK_01) is None
    found = kernel.hint("store", NOTEBOOK_01)
    assert "'1.5 A non-parametric store" in found and "Run All Above Selected Cell" in found
    assert "not defined anywhere in 01_parametric" in kernel.hint("raeder", NOTEBOOK_01)
    assert "Run All Above" in kernel.hint("reader", None)       # no notebook known: still says what to do


def test_names_a_cell_defines():
    source = "import numpy as np\nfrom a.b import c\nx, (y, z) = 1, (2, 3)\nfor i in []: pass\n%time w = 1\n" \
             "def f(): pass\nclass K: pass\nwith open('p') as h: pass\nif (v := 2): pass"
    assert kernel.defined_names(source) == {"np", "c", "x", "y", "z", "i", "f", "K", "h", "v"}
    assert kernel.defined_names("this is not python (") == set()


def test_install_adds_the_extension_and_keeps_other_settings(tmp_path):
    path = tmp_path / "etc" / "ipython" / "ipython_kernel_config.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"InteractiveShellApp": {"extensions": ["other"]}, "IPKernelApp": {"x": 1}}))
    assert kernel.install(tmp_path) == path
    kernel.install(tmp_path)                                   # twice: still once
    assert json.loads(path.read_text()) == {"InteractiveShellApp": {"extensions": ["other", kernel.NAME]},
                                            "IPKernelApp": {"x": 1}}


def test_a_kernel_with_the_extension_explains_a_name_error():
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", extra_arguments=[f"--ext={kernel.NAME}"],
                              env={**os.environ, "JPY_SESSION_NAME": str(NOTEBOOK_01)})
    errors = []
    try:
        kc.execute_interactive("reader.ask('Where is Holnok?')", timeout=60,
                               output_hook=lambda msg: errors.append(msg["content"]) if msg["msg_type"] == "error" else None)
        kc.execute_interactive("reader = 1\nreader + 1", timeout=60)   # once defined, nothing to explain
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert len(errors) == 1 and errors[0]["ename"] == "NameError", errors
    text = "\n".join(errors[0]["traceback"])
    assert "name 'reader' is not defined" in text and "'1.2 Watch knowledge go into the weights'" in text, text
