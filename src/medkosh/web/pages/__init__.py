"""Portal pages, one module per area; each module exposes `router`."""
