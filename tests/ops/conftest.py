"""The operations tests share the session's one S3-API server (tests/sync/conftest.py): it stops
when the session ends, so its clients' sockets never outlive a test module."""

from tests.sync.conftest import object_store_server

__all__ = ["object_store_server"]
