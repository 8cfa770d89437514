# Sourced by `make test`: points the database tests at the local PostgreSQL when one answers.
PG_URL="${PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
if [ -z "${MEDKOSH_TEST_POSTGRES_URL:-}" ]; then
  if .venv/bin/python - "$PG_URL" <<'PY' 2>/dev/null
import sys, psycopg
url = sys.argv[1].replace("postgresql+psycopg://", "postgresql://")
psycopg.connect(url, connect_timeout=3).close()
PY
  then
    export MEDKOSH_TEST_POSTGRES_URL="$PG_URL"
    echo "database tests: SQLite and PostgreSQL ($PG_URL)" >&2
  else
    echo "" >&2
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
    echo "!!  PostgreSQL is not answering at $PG_URL" >&2
    echo "!!  PostgreSQL database tests are SKIPPED; only SQLite is tested." >&2
    echo "!!  Start it: pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start" >&2
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
    echo "" >&2
  fi
fi
