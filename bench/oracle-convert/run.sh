#!/usr/bin/env bash
# bench/oracle-convert/run.sh: ferry convert vs ora2pg's input-file mode on
# Oracle's HR and CO sample schemas, without an Oracle server.
#
# For each schema and tool: convert the scripts (timed, median of RUNS runs),
# apply the output to a fresh PostgreSQL database with psql (every statement
# is tried, errors do not stop the file), and print how many object
# statements the output holds, how many statements applied or failed, the
# objects that ended up in PostgreSQL's catalog by kind, and how many
# PL/pgSQL routine bodies are valid (recreated with check_function_bodies on:
# ora2pg's output turns body checks off).
#
# Usage: bench/oracle-convert/run.sh            (from anywhere in the checkout)
# Env:   RUNS=5  ORACLE_DATA=../shared/datasets/oracle  FERRY_PG_DSN=postgres://...
#        (without FERRY_PG_DSN the project's sandbox PostgreSQL is started and
#        stopped by the script). KEEP=1 keeps the work directory.
# Installs ora2pg with apt-get when it is missing (needs root).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=${ORACLE_DATA:-$ROOT/../shared/datasets/oracle}
RUNS=${RUNS:-5}
WORK=$(mktemp -d /tmp/oracle-convert-bench.XXXXXX)
DBENV_PID=

cleanup() {
	if [[ -n $DBENV_PID ]]; then
		kill "$DBENV_PID" 2>/dev/null || true
		wait "$DBENV_PID" 2>/dev/null || true
	fi
	if [[ ${KEEP:-0} != 1 ]]; then rm -rf "$WORK"; else echo "work directory kept: $WORK" >&2; fi
}
trap cleanup EXIT

if [[ ! -f $DATA/human_resources/hr_create.sql || ! -f $DATA/customer_orders/co_create.sql ]]; then
	echo "oracle-convert bench: Oracle sample schemas not found in $DATA (set ORACLE_DATA)" >&2
	exit 1
fi

if ! command -v ora2pg >/dev/null; then
	echo "ora2pg not found: installing the Debian package" >&2
	if ! { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q ora2pg; } >"$WORK/apt.log" 2>&1; then
		echo "oracle-convert bench: apt-get install ora2pg failed (run as root?); log:" >&2
		tail -20 "$WORK/apt.log" >&2
		exit 1
	fi
fi
for cmd in psql go; do
	command -v $cmd >/dev/null || { echo "oracle-convert bench: $cmd not found" >&2; exit 1; }
done

echo "building ferry..." >&2
(cd "$ROOT" && go build -o "$WORK/ferry" ./cmd/ferry)

if [[ -z ${FERRY_PG_DSN:-} ]]; then
	echo "starting the sandbox PostgreSQL (internal/sandbox/cmd/dbenv)..." >&2
	(cd "$ROOT" && go build -o "$WORK/dbenv" ./internal/sandbox/cmd/dbenv)
	"$WORK/dbenv" >"$WORK/dbenv.out" 2>"$WORK/dbenv.err" &
	DBENV_PID=$!
	for _ in $(seq 1 600); do
		grep -q '^export FERRY_PG_DSN=' "$WORK/dbenv.out" 2>/dev/null && break
		kill -0 "$DBENV_PID" 2>/dev/null || { cat "$WORK/dbenv.err" >&2; exit 1; }
		sleep 0.5
	done
	eval "$(grep '^export FERRY_PG_DSN=' "$WORK/dbenv.out")"
fi
[[ -n ${FERRY_PG_DSN:-} ]] || { echo "oracle-convert bench: no PostgreSQL" >&2; exit 1; }
ADMIN=$FERRY_PG_DSN
export PGOPTIONS='-c client_min_messages=warning'

# dsn_for DB: the admin DSN with its database replaced.
dsn_for() {
	local base=${ADMIN%%\?*} query=
	[[ $ADMIN == *\?* ]] && query="?${ADMIN#*\?}"
	echo "${base%/*}/$1$query"
}

PGVER=$(psql -X -At -d "$ADMIN" -c 'SHOW server_version_num' | cut -c1-2)
cat >"$WORK/ora2pg.conf" <<EOF
ORACLE_DSN dbi:Oracle:host=localhost;sid=none
PG_VERSION $PGVER
EOF
ORA2PG_TYPES="SEQUENCE TABLE VIEW PROCEDURE TRIGGER"

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# convert_ferry NAME OUTDIR FILES...
convert_ferry() {
	local out=$2
	shift 2
	rm -rf "$out"
	"$WORK/ferry" convert --from oracle --to postgres "$@" --out "$out" >"$out.log" 2>&1 ||
		{ echo "ferry convert failed:" >&2; cat "$out.log" >&2; exit 1; }
}

# convert_ora2pg OUTDIR INPUT: one ora2pg run per object type, as -i needs.
convert_ora2pg() {
	local out=$1 in=$2 i=0
	rm -rf "$out"
	mkdir -p "$out"
	for t in $ORA2PG_TYPES; do
		i=$((i + 1))
		ora2pg -q -c "$WORK/ora2pg.conf" -i "$in" -t "$t" -b "$out" -o "$(printf '%02d' $i)-$t.sql" >>"$out.log" 2>&1 ||
			{ echo "ora2pg -t $t failed:" >&2; tail -20 "$out.log" >&2; exit 1; }
	done
}

# apply OUTDIR DB: runs the output's .sql files in name order on a fresh
# database; prints "applied failed" (applied: CREATE, ALTER, COMMENT, DO
# statements psql reports; ora2pg's DROP ... IF EXISTS and SET are not
# counted).
apply() {
	local out=$1 db=$2 f ok=0 bad=0
	psql -X -q -d "$ADMIN" -c "DROP DATABASE IF EXISTS \"$db\"" -c "CREATE DATABASE \"$db\"" >/dev/null
	for f in "$out"/*.sql; do
		# ora2pg's files stop at the first error; every statement is tried here.
		sed -e '/^\\set ON_ERROR_STOP/d' "$f" >"$f.run"
		psql -X -d "$(dsn_for "$db")" -v ON_ERROR_STOP=0 -f "$f.run" >"$f.out" 2>&1 || true
		ok=$((ok + $(grep -cE '^(CREATE|ALTER|COMMENT|DO)( [A-Z ]+)?$' "$f.out" || true)))
		bad=$((bad + $(grep -cE '(^|:)[0-9]*:? ?ERROR: ' "$f.out" || true)))
	done
	echo "$ok $bad"
}

CATALOG_SQL=$(cat <<'EOF'
WITH ns AS (SELECT oid FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'ferry_ora') AND nspname NOT LIKE 'pg_temp%')
SELECT concat_ws(' ',
 (SELECT count(*) FROM pg_class WHERE relnamespace IN (SELECT oid FROM ns) AND relkind IN ('r', 'p')),
 (SELECT count(*) FROM pg_constraint WHERE connamespace IN (SELECT oid FROM ns) AND contype IN ('p', 'u', 'f', 'c', 'x')),
 (SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relnamespace IN (SELECT oid FROM ns)
     AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x'))),
 (SELECT count(*) FROM pg_class WHERE relnamespace IN (SELECT oid FROM ns) AND relkind = 'S'
     AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = pg_class.oid AND d.deptype = 'i')),
 (SELECT count(*) FROM pg_class WHERE relnamespace IN (SELECT oid FROM ns) AND relkind IN ('v', 'm')),
 (SELECT count(*) FROM pg_proc WHERE pronamespace IN (SELECT oid FROM ns) AND prorettype <> 'trigger'::regtype),
 (SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace IN (SELECT oid FROM ns) AND NOT t.tgisinternal),
 (SELECT count(*) FROM pg_description d LEFT JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND c.oid = d.objoid
     WHERE c.relnamespace IN (SELECT oid FROM ns)))
EOF
)

# Recreates every PL/pgSQL routine with body checks on: "valid invalid".
BODIES_SQL=$(cat <<'EOF'
DO $$
DECLARE r record; ok int := 0; bad int := 0;
BEGIN
  SET LOCAL check_function_bodies = on;
  FOR r IN SELECT p.oid FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
      WHERE l.lanname = 'plpgsql' AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'ferry_ora') LOOP
    BEGIN
      EXECUTE pg_get_functiondef(r.oid);
      ok := ok + 1;
    EXCEPTION WHEN others THEN
      bad := bad + 1;
    END;
  END LOOP;
  RAISE NOTICE 'bodies % %', ok, bad;
END $$
EOF
)

printf '%-6s %-7s %9s %8s %8s %7s | %6s %6s %6s %5s %5s %5s %5s %5s %6s | %s\n' \
	schema tool conv_s out_objs applied failed tables cons index seq views procs trigs cmnts TOTAL "bodies ok/bad"
for schema in hr co; do
	case $schema in
	hr) files=("$DATA/human_resources/hr_create.sql" "$DATA/human_resources/hr_code.sql") ;;
	co) files=("$DATA/customer_orders/co_create.sql") ;;
	esac
	cat "${files[@]}" >"$WORK/$schema-input.sql"
	for tool in ferry ora2pg; do
		out="$WORK/$schema-$tool"
		times=()
		for _ in $(seq 1 "$RUNS"); do
			t0=$(now)
			if [[ $tool == ferry ]]; then
				convert_ferry "$schema" "$out" "${files[@]}"
			else
				convert_ora2pg "$out" "$WORK/$schema-input.sql"
			fi
			t1=$(now)
			times+=("$(echo "$t1 - $t0" | bc -l)")
		done
		med=$(printf '%s\n' "${times[@]}" | median)
		objs=$(cat "$out"/*.sql | grep -ciE '^[[:space:]]*(CREATE|ALTER[[:space:]]+TABLE|COMMENT[[:space:]]+ON)\b' || true)
		read -r ok bad < <(apply "$out" "bench_${schema}_$tool")
		dsn=$(dsn_for "bench_${schema}_$tool")
		read -r tab con idx seq vw proc trg cmt < <(psql -X -At -d "$dsn" -c "$CATALOG_SQL")
		total=$((tab + con + idx + seq + vw + proc + trg + cmt))
		bodies=$(PGOPTIONS= psql -X -q -d "$dsn" -c "$BODIES_SQL" 2>&1 | sed -n 's/.*bodies \([0-9]*\) \([0-9]*\).*/\1\/\2/p')
		printf '%-6s %-7s %9.3f %8d %8d %7d | %6d %6d %6d %5d %5d %5d %5d %5d %6d | %s\n' \
			"$schema" "$tool" "$med" "$objs" "$ok" "$bad" "$tab" "$con" "$idx" "$seq" "$vw" "$proc" "$trg" "$cmt" "$total" "$bodies"
		psql -X -q -d "$ADMIN" -c "DROP DATABASE IF EXISTS \"bench_${schema}_$tool\"" >/dev/null
	done
done
echo
echo "conv_s: conversion wall time, median of $RUNS runs (ora2pg: one run per type: $ORA2PG_TYPES)."
echo "out_objs: CREATE / ALTER TABLE / COMMENT ON statements in the output; applied/failed: statements psql ran / rejected."
echo "catalog after apply: tables, constraints (PK/UK/FK/check), indexes (other than keys'), sequences (not identity),"
echo "views, procedures+functions (not trigger functions), triggers, comments on tables and columns."
