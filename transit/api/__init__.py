"""
HTTP API for logistics planners: a FastAPI app over :mod:`transit` (``pip install 'sco-transit[api]'``).

``import transit`` never imports this package (nor FastAPI). Serve it with ``transit serve`` (uvicorn, loopback by
default) or embed :func:`create_app` in your own ASGI server. ``GET /`` is the planner's page (:mod:`transit.api.page`),
a browser form over these endpoints that needs no internet access.

Examples
--------
>>> from fastapi.testclient import TestClient
>>> from transit.api import create_app
>>> client = TestClient(create_app())
>>> r = client.post("/trips", json={"origin": "Kashgar", "destination": "Osh", "departure": "2017-10-30T08:00"})
>>> r.status_code, r.json()["crossings"]
(200, ['irkeshtam'])
>>> r = client.post("/trips", json={"origin": "Kashgr", "destination": "Osh", "departure": "2017-10-30T08:00"})
>>> r.status_code, r.headers["content-type"], r.json()["suggestions"]
(404, 'application/problem+json', ['Kashgar'])
>>> page = client.get("/")
>>> page.headers["content-type"], "Plan the trip" in page.text
('text/html; charset=utf-8', True)
"""

from .app import Limits, create_app

__all__ = ["Limits", "create_app"]
