#!/usr/bin/env bash
# stop-local-slurm.sh - stop the daemons that start-local-slurm.sh started, by the PIDs in
# its PID files only (never by name: other SLURM or munge processes are left alone).
# Safe to run twice; packages and /etc/slurm stay installed.
set -uo pipefail

STATE="${LOCAL_SLURM_STATE_DIR:-/run/local-slurm}"

# stop_pid PIDFILE NAME: TERM the PID if it is alive AND runs NAME (a stale file may
# point at a reused PID), wait up to 10 s, then KILL.
stop_pid() {
  local pf="$1" name="$2" pid comm
  if [ ! -s "$pf" ]; then echo "$name: not running (no $pf)"; return 0; fi
  pid="$(cat "$pf")"
  comm="$(cat "/proc/$pid/comm" 2>/dev/null || true)"
  if [ "$comm" != "$name" ]; then echo "$name: not running (stale $pf)"; rm -f "$pf"; return 0; fi
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -f "$pf"
  echo "$name: stopped (pid $pid)"
}

# cancel leftover jobs first, so no job step outlives slurmd
if [ -s "$STATE/slurmctld.pid" ] && command -v squeue >/dev/null; then
  jobs="$(squeue -h -o %i 2>/dev/null || true)"
  if [ -n "$jobs" ]; then
    # shellcheck disable=SC2086
    scancel $jobs 2>/dev/null || true
    for _ in $(seq 50); do [ -z "$(squeue -h -t R,CG -o %i 2>/dev/null)" ] && break; sleep 0.2; done
  fi
fi

stop_pid "$STATE/slurmd.pid" slurmd
stop_pid "$STATE/slurmctld.pid" slurmctld
stop_pid "$STATE/munge/munged.pid" munged
