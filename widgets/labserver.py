"""Settings for the course's JupyterLab: kernel messages reach the browser without waiting, and kernels skip huge pages.

Jupyter Server's kernel websocket leaves Nagle's algorithm on. A widget update makes the kernel send
several small messages in a row; with Nagle on, each one after the first waits for the browser's TCP
acknowledgement, which Linux may delay by up to 40 ms. Measured here with ``make latency``: a lesson 07
calculator's browser round trip fell from a median of about 75 ms to about 45 ms with this setting.

``make lab`` and the browser tests start JupyterLab with::

    --ServerApp.kernel_websocket_connection_class=widgets.labserver.NoDelayConnection

(for a JupyterHub or Binder image, the same key goes in ``jupyter_server_config.json``; see
``instructor/README.md``). Importing this module needs jupyter_server, so ``import widgets`` never does.

They also start it with ``LAB_ENV`` in the environment, which its kernels inherit: numpy's documented
``NUMPY_MADVISE_HUGEPAGE=0`` (numpy.org, "Global state"). On a virtual machine, the first touch of a 2 MB
huge page for a new large array can cost tens of milliseconds; lesson 04's load simulator makes about 40
arrays of a year of minutes per change. Measured here with ``make latency``: its p95 fell from about 119 to
about 75 ms. Set ``NUMPY_MADVISE_HUGEPAGE=1`` before ``make lab`` to keep numpy's default.
"""

from __future__ import annotations

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

LAB_ENV = {"NUMPY_MADVISE_HUGEPAGE": "0"}
SERVER_FLAG = "--ServerApp.kernel_websocket_connection_class=widgets.labserver.NoDelayConnection"


class NoDelayConnection(ZMQChannelsWebsocketConnection):
    """The standard kernel websocket connection with TCP_NODELAY set on its socket."""

    def connect(self):  # type: ignore[override]
        try:
            self.websocket_handler.set_nodelay(True)
        except (AssertionError, AttributeError, OSError) as exc:  # a closed or unusual socket: carry on as usual
            self.log.debug("could not set TCP_NODELAY on the kernel websocket: %s", exc)
        return super().connect()
