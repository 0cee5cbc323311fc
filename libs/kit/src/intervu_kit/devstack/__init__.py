"""The development stack: PostgreSQL, NATS JetStream, MinIO, Keycloak, Caddy, every service and worker.

Used by ``make run`` (everything, in the foreground, Ctrl-C stops it), by ``make test`` and by the pytest
plugin (infrastructure only, started on demand). No Docker: each component is a local process with its data
under ``.local/data`` and its log under ``.local/logs``.
"""
