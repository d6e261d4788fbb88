#!/usr/bin/env bash
# Runs the test suite with what it needs around it: Debian's chromium (browser tests) and a throwaway
# PostgreSQL 15 cluster on 127.0.0.1:55432 (the suite then runs every database test on SQLite and PostgreSQL).
# Installs the system packages with apt-get when they are missing and we are root; otherwise says what is missing.
# Usage: scripts/test-env.sh [pytest arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy" || need+=(fonts-wqy-microhei)
command -v pg_createcluster >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test-env: installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "test-env: missing system packages: ${need[*]} (install them with apt-get, as root)" >&2
    exit 1
  fi
fi

cluster_started=""
cleanup() {
  if [ -n "$cluster_started" ]; then
    pg_ctlcluster 15 duijietest stop >/dev/null 2>&1 || true
    pg_dropcluster 15 duijietest >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

if [ -z "${DUIJIE_TEST_POSTGRES_URL:-}" ]; then
  pg_dropcluster --stop 15 duijietest >/dev/null 2>&1 || true
  pg_createcluster 15 duijietest -p 55432 --start-conf=manual -- --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  printf "listen_addresses='127.0.0.1'\nfsync=off\nsynchronous_commit=off\nfull_page_writes=off\nmax_connections=200\n" \
    >> /etc/postgresql/15/duijietest/postgresql.conf
  pg_ctlcluster 15 duijietest start
  cluster_started=1
  su postgres -c "psql -q -p 55432 -h 127.0.0.1 -c \"CREATE ROLE duijie LOGIN PASSWORD 'duijie' SUPERUSER\""
  su postgres -c "createdb -p 55432 -h 127.0.0.1 -O duijie duijie_test"
  export DUIJIE_TEST_POSTGRES_URL="postgresql+psycopg://duijie:duijie@127.0.0.1:55432/duijie_test"
fi
export DUIJIE_CHROMIUM=${DUIJIE_CHROMIUM:-/usr/bin/chromium}
export OMP_NUM_THREADS=1

"$PY" -m ruff check duijie tests bench scripts
"$PY" -m mypy
# One pytest-xdist worker per core this process may use (up to four): each worker gets its own PostgreSQL
# database (tests/conftest.py); a file's tests stay on one worker, so a module's costly fixtures are built once.
# The cores are counted as the scheduler grants them: the CPU affinity, lowered by a cgroup CPU quota (a
# container on a large host sees all the host's processors but may run on two). `nproc` would answer 1: it
# obeys OMP_NUM_THREADS, set above for the solvers.
workers=${DUIJIE_TEST_WORKERS:-$("$PY" - <<'PYEOF'
import math, os
cores = len(os.sched_getaffinity(0))
for path, scale in (("/sys/fs/cgroup/cpu.max", None), ("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "/sys/fs/cgroup/cpu/cpu.cfs_period_us")):
    try:
        if scale:
            quota, period = open(path).read().strip(), open(scale).read().strip()
        else:
            quota, period = open(path).read().split()
    except (OSError, ValueError):
        continue
    if quota not in ("max", "-1"):
        cores = min(cores, max(1, math.ceil(int(quota) / int(period))))
print(min(cores, 4))
PYEOF
)}
echo "test-env: $workers test workers"
set +e
"$PY" -m pytest -n "$workers" --dist loadfile "$@"
rc=$?
set -e
if [ "$rc" = 5 ]; then
  echo "test-env: pytest collected no tests — that is a failure" >&2
  rc=1
fi
exit "$rc"
