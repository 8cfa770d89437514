"""API routers, one module per domain; each module exposes `router` (an APIRouter)."""
