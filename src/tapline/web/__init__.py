"""The web layer: the ASGI app, its pages and middleware, the REST API (`api/`) and the two
WebSockets (`sockets/`). Every write it takes goes through `tapline.actions`."""
