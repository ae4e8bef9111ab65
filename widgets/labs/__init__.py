"""The only floor that touches the host: KVM, namespaces, cgroups, privileges, start-up timing, OCI on disk, the probe.

Every lab decides live-or-fallback the same way (:func:`widgets.labs.base.use_live`), runs its child
programs (real files in ``widgets/labs/children/``) through :func:`widgets.labs.base.run_child` with a hard
timeout and clean-up, and falls back to a dated recording or a model from :mod:`widgets.models`.
"""
