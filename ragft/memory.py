"""Keeping a kernel's memory low: hand freed memory back to the system, so a notebook fits a 1.5 GB pod.

    release_memory()                     # after a big section: collect garbage, give free heap pages back
    with big_blocks_to_system():         # around training with large, short-lived tensors
        ...

PyTorch on CPU allocates tensors with the C library's malloc. glibc keeps what is freed for reuse, so a kernel's
resident memory stays at its highest point, and short-lived training tensors scattered over the heap leave it
fragmented. Neither function changes a result: only where freed memory goes. Elsewhere than glibc (macOS,
Windows, musl) they collect garbage and do nothing more.
"""

from __future__ import annotations

import ctypes
import gc
from contextlib import contextmanager
from typing import Iterator

from ragft.inputs import check_int

M_MMAP_THRESHOLD = -3          # mallopt's parameter: blocks at least this large get their own mapping
MMAP_THRESHOLD_MAX = 32 << 20  # the ceiling glibc's own threshold rises to on 64-bit, as PyTorch frees big tensors
_depth = 0                     # how many big_blocks_to_system blocks are open (training inside training)


def _glibc():
    """The C library if it is glibc (it has malloc_trim and mallopt), else None."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None
    except OSError:
        return None


def release_memory(collect: bool = True) -> None:
    """Collect garbage (unless `collect` is False: a fraction of a second saved where nothing cyclic was freed) and
    give the heap's free pages back to the system (lowers resident memory now, and so the peak of what comes next)."""
    if collect:
        gc.collect()
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


@contextmanager
def big_blocks_to_system(threshold: int = 1 << 20) -> Iterator[None]:
    """Inside: every block of at least `threshold` bytes is mapped on its own and unmapped when freed, so big
    short-lived tensors (activations, gradients) leave no fragmented heap behind; the peak stays near what is
    alive. It costs page faults, so use it around a memory-hungry step, not everywhere. Before and after: the free
    pages released; after, glibc's usual ceiling. Nested uses keep the outermost one's setting until it ends."""
    threshold = check_int("threshold", threshold, 1)
    global _depth
    outermost = _depth == 0
    libc = _glibc()
    if outermost:
        release_memory()  # start from a trimmed heap: the peak is what is alive plus the step's own blocks
        if libc is not None:
            libc.mallopt(M_MMAP_THRESHOLD, threshold)
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if outermost:
            if libc is not None:
                libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_MAX)
            release_memory()
