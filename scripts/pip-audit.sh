#!/usr/bin/env bash
# Supply chain: pip-audit over the locked dependency versions (requirements/lock.txt).
#
#   scripts/pip-audit.sh                 audit requirements/lock.txt against the PyPI vulnerability service
#   scripts/pip-audit.sh --lock FILE     audit another lock file
#   scripts/pip-audit.sh --from-json F   only judge a saved `pip-audit --format json` report (no network)
#
# One line per finding. Exit status:
#   1  a known vulnerability with a fix available (fix_versions non-empty): bump the pin
#   0  no fixable vulnerability (unfixable ones are printed as "no fix yet" and do not fail)
#   0  the vulnerability service could not be reached or answered for no package: a loud SKIPPED line;
#      set MEDKOSH_PIP_AUDIT_REQUIRE_SERVICE=1 to make that exit 3 instead (CI with internet access)
#   2  bad usage or a lock file that is missing / not fully pinned
# docs/reliability.md, section 8, says why an unreachable service does not fail `make test` by default.
set -uo pipefail
cd "$(dirname "$0")/.."

LOCK=requirements/lock.txt
FROM_JSON=""
while [ $# -gt 0 ]; do
  case "$1" in
    --lock) LOCK="${2:-}"; shift 2 ;;
    --from-json) FROM_JSON="${2:-}"; shift 2 ;;
    *) echo "pip-audit.sh: unknown argument '$1' (use --lock FILE or --from-json FILE)" >&2; exit 2 ;;
  esac
done
PY=.venv/bin/python
[ -x "$PY" ] || PY=python3

if [ -z "$FROM_JSON" ]; then
  if [ ! -f "$LOCK" ]; then
    echo "pip-audit.sh: lock file $LOCK not found; regenerate it: .venv/bin/pip freeze --exclude-editable > $LOCK" >&2
    exit 2
  fi
  unpinned=$(grep -vE '^\s*(#|$)' "$LOCK" | grep -v '==' || true)
  if [ -n "$unpinned" ]; then
    echo "pip-audit.sh: $LOCK has entries without an exact '==' pin: $(echo "$unpinned" | head -3 | tr '\n' ' ')" >&2
    exit 2
  fi
  if ! "$PY" -m pip_audit --version >/dev/null 2>&1; then
    echo "pip-audit.sh: pip-audit is not installed in .venv; run: .venv/bin/pip install -e '.[dev]'" >&2
    exit 2
  fi
  FROM_JSON=$(mktemp -t pip-audit.XXXXXX.json)
  trap 'rm -f "$FROM_JSON" "$FROM_JSON.err"' EXIT
  # --no-deps: every entry is pinned, so pip-audit needs no resolver (and no temporary virtualenv).
  "$PY" -m pip_audit -r "$LOCK" --no-deps --disable-pip --format json --progress-spinner off \
    --timeout "${MEDKOSH_PIP_AUDIT_TIMEOUT:-15}" -o "$FROM_JSON" 2>"$FROM_JSON.err"
  rc=$?
  if [ ! -s "$FROM_JSON" ]; then
    reason=$(grep -v '^WARNING' "$FROM_JSON.err" | tail -1)
    echo "{\"dependencies\": [], \"error\": \"pip-audit exited $rc: ${reason//\"/\'}\"}" > "$FROM_JSON"
  fi
fi

"$PY" - "$FROM_JSON" "$LOCK" <<'PY'
import json
import os
import sys

path, lock = sys.argv[1], sys.argv[2]
try:
    with open(path, encoding="utf-8") as fh:
        report = json.load(fh)
except (OSError, ValueError) as exc:
    print(f"pip-audit.sh: cannot read the pip-audit report {path}: {exc}", file=sys.stderr)
    sys.exit(2)
deps = report.get("dependencies", [])
audited = [d for d in deps if "skip_reason" not in d]
fixable, unfixable = [], []
for dep in audited:
    for vuln in dep.get("vulns", []):
        line = (dep["name"], dep.get("version", "?"), vuln.get("id", "?"), vuln.get("fix_versions") or [])
        (fixable if line[3] else unfixable).append(line)
for name, version, vid, fixes in fixable:
    print(f"VULNERABLE {name}=={version}: {vid}; fixed in {', '.join(fixes)} - raise the pin in pyproject.toml "
          f"and regenerate {lock}")
for name, version, vid, _ in unfixable:
    print(f"known, no fix yet {name}=={version}: {vid} (not failing; see docs/reliability.md section 8)")
if not audited:
    why = report.get("error") or (deps[0]["skip_reason"] if deps else "no dependencies in the report")
    require = os.environ.get("MEDKOSH_PIP_AUDIT_REQUIRE_SERVICE") == "1"
    print(f"pip-audit: SKIPPED - the vulnerability service answered for none of {len(deps)} locked packages "
          f"(first reason: {why}); nothing was checked" + ("" if require else
          " (set MEDKOSH_PIP_AUDIT_REQUIRE_SERVICE=1 to fail instead)"))
    sys.exit(3 if require else 0)
skipped = len(deps) - len(audited)
print(f"pip-audit: {len(audited)} locked packages audited, {skipped} not found by the service, "
      f"{len(fixable)} fixable and {len(unfixable)} unfixable known vulnerabilities")
sys.exit(1 if fixable else 0)
PY
exit $?
