"""Nothing saved can be silently mixed, stale or corrupt: atomic index saves that record their embedder, an
embeddings cache keyed on content, checksums on model folders, and no hub name ever reaching the network."""

import json
import multiprocessing
import shutil
import socket
import time

import numpy as np
import pytest
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from ragft import rag

# ragft.lm (torch, transformers) is imported inside the tests that use it: the writer processes start in seconds.

DIM = 32
STORES = {"a": 150, "b": 90}  # two stores of different sizes, so a mix of one's vectors and the other's documents shows


class Fixed(Embeddings):
    """A stand-in embedder: 'doc a-7' embeds to store a's 7th vector (no model to load in the writer processes)."""

    def __init__(self, dim: int = DIM):
        self.dim = dim

    def embed_query(self, text):
        if not text.startswith("doc "):
            return [1.0] + [0.0] * (self.dim - 1)
        name, i = text.split()[1].split("-")
        return _vectors(name)[int(i)].tolist()

    def embed_documents(self, texts):
        return [self.embed_query(t) for t in texts]


def _vectors(name: str) -> np.ndarray:
    v = np.random.default_rng(ord(name)).normal(size=(STORES[name], DIM)).astype("float32")
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _store(name: str):
    docs = [Document(page_content=f"doc {name}-{i}", metadata={"source": f"{name}-{i}", "day": 0})
            for i in range(STORES[name])]
    return rag.vector_store(docs, Fixed(), vectors=_vectors(name), id_key="source")


def _check_whole(loaded) -> str:
    """Which store was loaded, after checking that every document's own vector finds that document."""
    name = loaded.index_to_docstore_id[0].split("-")[0]
    assert rag.size(loaded) == STORES[name] == len(loaded.index_to_docstore_id), "mixed: sizes disagree"
    _, nearest = loaded.index.search(_vectors(name), 1)
    found = [loaded.docstore.search(loaded.index_to_docstore_id[j]).page_content for j in nearest[:, 0]]
    assert found == [f"doc {name}-{i}" for i in range(STORES[name])], "mixed: a vector finds another document"
    return name


def _keep_saving(name: str, folder: str, started, stop, saves) -> None:
    """A writer process: save store `name` into folder again and again until told to stop."""
    store = _store(name)
    while not stop.is_set():
        rag.save_index(store, folder)
        with saves.get_lock():
            saves.value += 1
        started.set()


def test_two_writers_and_a_reader_on_one_folder_never_mix(tmp_path):
    folder = str(tmp_path / "index")
    ctx = multiprocessing.get_context("spawn")
    stop, saves = ctx.Event(), ctx.Value("i", 0)
    started = {name: ctx.Event() for name in STORES}
    writers = [ctx.Process(target=_keep_saving, args=(name, folder, started[name], stop, saves)) for name in STORES]
    for w in writers:
        w.start()
    try:
        assert all(e.wait(120) for e in started.values()), "a writer never saved"
        before, seen = saves.value, []
        for _ in range(60):
            seen.append(_check_whole(rag.load_index(folder, Fixed())))
            time.sleep(0.01)
        during = saves.value - before
    finally:
        stop.set()
        for w in writers:
            w.join(60)
    assert [w.exitcode for w in writers] == [0, 0]
    assert during >= 60 and set(seen) == set(STORES), (during, seen)  # the folder really was replaced under the loads
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index"]  # no temporary or old folder left behind


# ---- the manifest: embedder, dimension, count, files ---------------------------------------------------

def test_the_manifest_describes_the_index(tmp_path):
    folder = rag.save_index(_store("a"), tmp_path / "index")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["dimension"] == DIM and manifest["count"] == STORES["a"]
    assert manifest["embedder"]["fingerprint"] == f"class:{Fixed.__module__}.Fixed"
    assert set(manifest["files"]) == {"index.faiss", "documents.json"}
    with pytest.raises(ValueError, match="vectors of 32 numbers, but the embedder given .* makes 8"):
        rag.load_index(folder, Fixed(dim=8))
    rag.save_index(_store("b"), folder)  # replacing it leaves exactly the new index
    assert _check_whole(rag.load_index(folder, Fixed())) == "b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index"]


@pytest.mark.parametrize("text, message", [
    ("{not json", "manifest.json is not valid JSON"),
    ("[]", "manifest.json is not a manifest save_index writes"),
    ('{"index.faiss": "00", "documents.json": "00"}', "older ragft that did not record the embedder"),
    ("drop files", "manifest.json is damaged"),
    ("count as text", "manifest.json is damaged"),
])
def test_a_malformed_manifest_is_a_clear_error(tmp_path, text, message):
    folder = rag.save_index(_store("a"), tmp_path / "index")
    manifest = json.loads((folder / "manifest.json").read_text())
    if text == "drop files":
        text = json.dumps({k: v for k, v in manifest.items() if k != "files"})
    elif text == "count as text":
        text = json.dumps({**manifest, "count": "150"})
    (folder / "manifest.json").write_text(text)
    with pytest.raises(ValueError, match=message) as error:
        rag.load_index(folder, Fixed())
    assert "rebuild" in str(error.value)


def test_save_index_never_replaces_a_folder_that_is_not_an_index(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "mine.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match="not an index saved by save_index"):
        rag.save_index(_store("a"), tmp_path / "notes")
    assert (tmp_path / "notes" / "mine.txt").read_text() == "keep me"


# ---- embedders known by content -------------------------------------------------------------------------

def _tiny_embedder(folder, seed: int) -> None:
    """Write a tiny random sentence-transformers model (1 layer, 16 numbers) to folder, replacing what is there."""
    import torch
    from sentence_transformers import SentenceTransformer, models
    from transformers import AutoTokenizer, BertConfig, BertModel

    tokenizer = AutoTokenizer.from_pretrained(rag.embedder_path())
    torch.manual_seed(seed)
    bert = BertModel(BertConfig(vocab_size=len(tokenizer), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                                intermediate_size=32))
    base = folder.parent / f"bert-{seed}"
    bert.save_pretrained(base)
    tokenizer.save_pretrained(base)
    shutil.rmtree(folder, ignore_errors=True)
    SentenceTransformer(modules=[models.Transformer(str(base)), models.Pooling(16)], device="cpu").save(str(folder))


def test_an_embedder_fine_tuned_again_into_the_same_folder_is_the_new_one(tmp_path):
    folder = tmp_path / "embedder"
    _tiny_embedder(folder, seed=1)
    first = rag.embeddings(folder)
    assert rag.embeddings(str(folder)) is first  # the same content is loaded once
    index = rag.save_index(rag.vector_store(["The river Ondor flows through Holnok."], first), tmp_path / "index")
    _tiny_embedder(folder, seed=2)
    second = rag.embeddings(folder)
    assert second is not first
    assert not np.allclose(first.embed_query("Holnok"), second.embed_query("Holnok"))
    with pytest.raises(ValueError, match="built with another embedder") as error:
        rag.load_index(index, second)
    assert "rag.embeddings(" in str(error.value) and "rebuild" in str(error.value)
    with pytest.raises(ValueError, match="built with another embedder"):
        rag.load_index(rag.save_index(_store("a"), tmp_path / "fixed"), second)


# ---- model folders carry checksums ------------------------------------------------------------------------

@pytest.fixture
def course_copy(tmp_path):
    from ragft import lm

    return shutil.copytree(lm.DEFAULT_DIR, tmp_path / "course-model")


def test_the_shipped_model_carries_checksums_and_loads_bit_identical():
    from safetensors.torch import load_file

    from ragft import lm
    from ragft.lm import checkpoint

    files = json.loads((lm.DEFAULT_DIR / "checksums.json").read_text())["files"]
    assert {"model.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json"} <= set(files)
    checkpoint.verify(lm.DEFAULT_DIR)
    model, _ = lm.load(lm.DEFAULT_DIR)
    stored, loaded = load_file(lm.DEFAULT_DIR / "model.safetensors"), model.state_dict()
    assert all(np.array_equal(t.numpy(), loaded[k].numpy()) for k, t in stored.items())


def _flip_bytes(folder):
    path = folder / "model.safetensors"
    data = bytearray(path.read_bytes())
    for i in range(9):
        data[len(data) // 2 + 1000 * i] ^= 0xFF
    path.write_bytes(bytes(data))


def _fewer_layers(folder):
    path = folder / "config.json"
    path.write_text(path.read_text().replace('"num_hidden_layers": 6', '"num_hidden_layers": 4'))


def _truncate(folder):
    path = folder / "model.safetensors"
    path.write_bytes(path.read_bytes()[:5_000_000])


@pytest.mark.parametrize("damage, error, message", [
    (_flip_bytes, ValueError, "model.safetensors is corrupt or was edited"),
    (_fewer_layers, ValueError, "config.json is corrupt or was edited"),
    (_truncate, ValueError, "model.safetensors is truncated"),
    (lambda f: (f / "tokenizer.json").unlink(), FileNotFoundError, "tokenizer.json is missing"),
    (lambda f: (f / "checksums.json").write_text("{"), ValueError, "checksums.json is damaged"),
])
def test_a_damaged_course_model_is_refused_with_how_to_restore_it(course_copy, monkeypatch, damage, error, message):
    from ragft import lm
    from ragft.lm import checkpoint

    damage(course_copy)
    with pytest.raises(error, match=message) as refused:
        lm.load(course_copy)
    assert "save the model again" in str(refused.value)
    monkeypatch.setattr(checkpoint, "DEFAULT_DIR", course_copy)  # as if it were the shipped folder
    with pytest.raises(error, match="git checkout models/") as refused:
        lm.load(course_copy)
    assert "make model" in str(refused.value)


def test_lm_save_writes_checksums_that_load_checks(course_copy, tmp_path):
    from transformers import AutoTokenizer

    from ragft import lm

    tokenizer = AutoTokenizer.from_pretrained(str(course_copy))
    model = lm.build_model(tokenizer, lm.ModelConfig(d_model=32, n_layers=1, n_heads=2, d_ff=64))
    folder = lm.save(model, tokenizer, tmp_path / "tuned", history={"seconds": 1})
    files = json.loads((folder / "checksums.json").read_text())["files"]
    assert {"model.safetensors", "config.json", "tokenizer.json"} <= set(files) and "history.json" not in files
    lm.load(folder)
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "num_hidden_layers": 2}))
    with pytest.raises(ValueError, match="save the model again"):
        lm.load(folder)


# ---- no hub name reaches the network --------------------------------------------------------------------

def test_no_hub_name_opens_a_socket(monkeypatch):
    from ragft import lm
    from ragft.readers import load_reader, make_llm

    attempts = []
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: attempts.append(a) or [])
    monkeypatch.setattr(socket.socket, "connect", lambda self, *a: attempts.append(a))
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: attempts.append(a))
    for call in (lambda: make_llm("course:gpt2"), lambda: make_llm("hf:gpt2"), lambda: load_reader("course:gpt2"),
                 lambda: lm.load("gpt2"), lambda: rag.embeddings("sentence-transformers/all-MiniLM-L6-v2")):
        with pytest.raises(FileNotFoundError, match="never a hub name"):
            call()
    assert attempts == []
