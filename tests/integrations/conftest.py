from tests.fakes.server import httpserver_listen_address

__all__ = ["httpserver_listen_address"]
