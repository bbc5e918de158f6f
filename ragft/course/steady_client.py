"""A kernel client that cannot sleep through a kernel's reply: the one the runner and the grader execute notebooks with.

jupyter_client's asynchronous channels wait for a message with one zmq.asyncio poll that lasts the whole cell limit.
That poll can miss its wake-up: in a clean-clone CI run, notebook 05's widget cell was answered by the kernel at
20:24:04, and the grader read the reply only when the poll's 600 s ran out (its last non-blocking check found it
waiting), at 20:34:03. Each wait here is cut into polls of at most POLL_S seconds, so a missed wake-up costs at most
that, and the limit given to the wait is kept whole.

    c.KernelManager.client_class = "ragft.course.steady_client.SteadyKernelClient"   # nbgrader, jupyter config
    km.client_class = "ragft.course.steady_client.SteadyKernelClient"                # one kernel manager
"""

from __future__ import annotations

import math
import time
from queue import Empty
from typing import Any

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from traitlets import Type

NAME = "ragft.course.steady_client.SteadyKernelClient"
POLL_S = 1.0  # the longest single poll: what a missed wake-up can cost


class SteadyChannel(AsyncZMQSocketChannel):
    """A channel whose wait for a message is a series of polls of at most POLL_S seconds."""

    async def get_msg(self, timeout: float | None = None) -> dict[str, Any]:
        """The next message; Empty once `timeout` seconds pass (None: wait for ever; 0 or less: only what is there)."""
        deadline = None if timeout is None else self._now() + max(0.0, timeout)
        while True:
            if self.socket is None or self.socket.closed:  # the channels were stopped while a wait was on
                raise Empty
            left = POLL_S if deadline is None else max(0.0, min(POLL_S, deadline - self._now()))
            if await self.socket.poll(math.ceil(left * 1000)):
                return await self._recv()
            if deadline is not None and self._now() >= deadline:
                raise Empty

    @staticmethod
    def _now() -> float:
        return time.monotonic()


class SteadyKernelClient(AsyncKernelClient):
    """jupyter_client's asynchronous kernel client with steady channels (the heartbeat channel is unchanged)."""

    shell_channel_class = Type(SteadyChannel)  # type: ignore[assignment]
    iopub_channel_class = Type(SteadyChannel)  # type: ignore[assignment]
    stdin_channel_class = Type(SteadyChannel)  # type: ignore[assignment]
    control_channel_class = Type(SteadyChannel)  # type: ignore[assignment]
