"""The shared kit of Intervu services.

Everything a service needs that is not its business: typed settings, the database session, Keycloak token
verification, the one error shape, JSON logs with request ids, the transactional outbox / inbox over NATS
JetStream, object storage, and the development stack used by ``make run`` and the tests.
"""
