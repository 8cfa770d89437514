"""JSON API (FastAPI). Routers live in api/routes/<domain>.py, each exposing `router`."""
