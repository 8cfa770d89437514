"""Server-rendered portal (Jinja2). Pages live in web/pages/<area>.py, each exposing `router`."""
