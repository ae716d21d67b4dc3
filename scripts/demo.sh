#!/usr/bin/env bash
# make demo: a generated district through the whole nightly job into the embedded DuckDB warehouse.
# Env (from the Makefile): DEMO_DIR, DEMO_STUDENTS, DEMO_SEED, SERVE (1 = serve the dashboards after).
set -euo pipefail
cd "$(dirname "$0")/.."

DEMO_DIR=${DEMO_DIR:-demo}
DISTRICT="$DEMO_DIR/district"
export SCHOOLHOUSE_TARGET=duckdb
export SCHOOLHOUSE_DUCKDB_PATH=${SCHOOLHOUSE_DUCKDB_PATH:-$PWD/warehouse.duckdb}
export SCHOOLHOUSE_ARCHIVE_DIR=${SCHOOLHOUSE_ARCHIVE_DIR:-$PWD/$DEMO_DIR/archive}

echo "==> Generating a district of ${DEMO_STUDENTS:-2000} students (seed ${DEMO_SEED:-42}) in $DISTRICT"
# --dirty: the realities of real SIS exports, so the data-health page has something to explain.
schoolhouse generate --students "${DEMO_STUDENTS:-2000}" --seed "${DEMO_SEED:-42}" --dirty --out "$DISTRICT"

python - "$DEMO_DIR" "$DISTRICT" <<'PY'
import json, sys, pathlib, yaml
demo, district = pathlib.Path(sys.argv[1]).resolve(), pathlib.Path(sys.argv[2]).resolve()
config = {
    "district_name": "Schoolhouse Demo District",
    # The generated district is as of a fixed school day; date rules (current school year, last 45 days) follow it.
    "as_of_date": json.loads((district / "district_manifest.json").read_text())["as_of_date"],
    "email_domain": "example-district.org",
    "student_email_domain": "students.example-district.org",
    # ST Math requires a password of at least 6 characters for every student; Schoolhouse invents none.
    "student_password_policy": "student_id",
    "sources": {s: str(district) for s in ("district", "aspen", "star", "powerschool")},
    "exports": [{"vendor": v, "to": str(demo / "exports" / v)} for v in ("sds-v2.1", "sds-v1", "stmath", "oneroster-1.1", "clever")],
}
(demo / "district.yml").write_text(yaml.safe_dump(config, sort_keys=False))
PY
# Every later command (the dashboard too) reads the same settings.
export SCHOOLHOUSE_CONFIG="$(cd "$DEMO_DIR" && pwd)/district.yml"
echo "==> Nightly job: load → build → export (config $SCHOOLHOUSE_CONFIG)"
schoolhouse nightly

echo
echo "Warehouse: $SCHOOLHOUSE_DUCKDB_PATH (settings: $SCHOOLHOUSE_CONFIG)"
[ -d "$DEMO_DIR/exports" ] && echo "Vendor files: $DEMO_DIR/exports/<vendor>/"

if [ "${SERVE:-1}" = "1" ]; then
  echo "==> Serving the dashboards in demo mode (Ctrl-C to stop):"
  echo "    http://127.0.0.1:8501/?demo=district   (or pick a teacher, principal or counselor on the page)"
  echo "    Demo accounts need no password, so only this machine can connect (--server.address to change)."
  SCHOOLHOUSE_DEMO_MODE=1 schoolhouse dashboard --server.headless true
fi
