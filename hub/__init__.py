"""The course's workshop hub: JupyterHub on one Linux server for a room of learners (``make hub``).

See ``instructor/hub.md``. Modules: :mod:`hub.settings` (HUB_* variables), :mod:`hub.install` (environment and
proxy), :mod:`hub.run` (start, stop, reset), :mod:`hub.auth` (login), :mod:`hub.spawner` (accounts, lessons,
limits), :mod:`hub.launcher` (namespaces), :mod:`hub.cgroups`, :mod:`hub.content` (the lessons' merge), and
:mod:`hub.client` (the REST and kernel client the tests and ``make bench-hub`` use).
"""
