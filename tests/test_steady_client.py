"""The runner's and the grader's kernel client wait for a message in short polls, so a missed wake-up cannot stall a cell."""

import asyncio
import os
import shutil
import tempfile
from queue import Empty

import pytest
from jupyter_client import KernelManager

from ragft.course import grading, steady_client
from ragft.course.steady_client import POLL_S, SteadyChannel, SteadyKernelClient


class SleepyChannel(SteadyChannel):
    """A socket that sleeps through its wake-up: a poll reports a message only when it ends (its last check), and the
    message arrives `arrives` seconds after the first poll. Its polls and clock are simulated."""

    def __init__(self, arrives: float | None):
        self.socket, self.session = self, None  # no zmq socket: this object plays it
        self.arrives, self.clock, self.polls, self.closed = arrives, 0.0, [], False

    async def poll(self, timeout_ms: int) -> int:
        self.polls.append(timeout_ms)
        self.clock += timeout_ms / 1000
        return int(self.arrives is not None and self.clock >= self.arrives)

    def _now(self) -> float:
        return self.clock

    async def _recv(self) -> dict:
        return {"content": "the reply", "read_at": self.clock}


@pytest.mark.parametrize("timeout", [600, None])
def test_a_reply_that_arrives_during_a_long_wait_is_read_within_a_poll(timeout):
    channel = SleepyChannel(arrives=0.05)
    msg = asyncio.run(channel.get_msg(timeout=timeout))
    assert msg["content"] == "the reply"
    assert msg["read_at"] <= 0.05 + POLL_S, "a missed wake-up must cost at most one poll"
    assert max(channel.polls) <= POLL_S * 1000


def test_the_wait_still_ends_at_its_limit_when_nothing_arrives():
    channel = SleepyChannel(arrives=None)
    with pytest.raises(Empty):
        asyncio.run(channel.get_msg(timeout=3.5))
    assert channel.clock == pytest.approx(3.5), "the polls add up to the limit given, no more, no less"
    assert channel.polls[:3] == [1000, 1000, 1000] and channel.polls[3] == 500


@pytest.mark.parametrize("timeout", [0, -5])
def test_no_time_left_means_one_look_at_what_is_there(timeout):
    channel = SleepyChannel(arrives=None)
    with pytest.raises(Empty):
        asyncio.run(channel.get_msg(timeout=timeout))
    assert channel.polls == [0]
    assert asyncio.run(SleepyChannel(arrives=0.0).get_msg(timeout=0))["content"] == "the reply"


def test_a_wait_ends_when_its_channel_is_stopped():
    channel = SleepyChannel(arrives=None)
    channel.closed = True
    with pytest.raises(Empty):
        asyncio.run(channel.get_msg(timeout=None))


def test_a_real_kernel_answers_through_the_steady_client():
    sockets = tempfile.mkdtemp(prefix="ragft-kernel-")   # short: a Unix socket's path must stay under ~100 bytes
    km = KernelManager(client_class=steady_client.NAME)
    if os.name == "posix":  # as the runner and the grader: Unix sockets
        km.transport, km.ip = "ipc", os.path.join(sockets, "kernel")
    km.start_kernel()
    try:
        kc = km.client()
        assert isinstance(kc, SteadyKernelClient)
        assert all(isinstance(c, SteadyChannel) for c in (kc.shell_channel, kc.iopub_channel, kc.control_channel))

        async def ask() -> dict:
            kc.start_channels()
            await kc.wait_for_ready(timeout=60)
            msg_id = kc.execute("import time; time.sleep(2.5); 6 * 7")   # the reply comes after a few polls
            while True:
                reply = await kc.shell_channel.get_msg(timeout=60)
                if reply["parent_header"]["msg_id"] == msg_id:
                    return reply

        reply = asyncio.run(ask())
        kc.stop_channels()
        assert reply["content"]["status"] == "ok"
    finally:
        km.shutdown_kernel(now=True)
        shutil.rmtree(sockets, ignore_errors=True)


def test_the_grader_and_the_runner_use_it(tmp_path):
    import nbformat
    from nbclient import NotebookClient
    from nbgrader.preprocessors import Execute
    from traitlets.config.loader import PyFileConfigLoader

    from ragft.course import runner

    (tmp_path / "nbgrader_config.py").write_text(grading.NBGRADER_CONFIG)
    grader = Execute(config=PyFileConfigLoader("nbgrader_config.py", path=str(tmp_path)).load_config())
    grader.nb = nbformat.v4.new_notebook()
    assert grader.create_kernel_manager().client_factory is SteadyKernelClient

    client = NotebookClient(nbformat.v4.new_notebook())
    runner._steady_kernel(client, str(tmp_path))
    assert client.km.client_factory is SteadyKernelClient
