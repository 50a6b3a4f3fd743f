#!/usr/bin/env bash
# Stop the one-node SLURM cluster that .ci/slurm-up.sh started: slurmd and slurmctld by the
# pids in their pid files (munged is left running; it is harmless and shared). Idempotent.
set -euo pipefail

CONF=/etc/slurm/slurm.conf
[[ -f "$CONF" ]] || exit 0
for key in SlurmdPidFile SlurmctldPidFile; do
    file="$(sed -n "s/^$key=//p" "$CONF")"
    if [[ -n "$file" && -f "$file" ]]; then
        pid="$(cat "$file")"
        # only a process that is the daemon (a stale pid file may name another one)
        if [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == slurm* ]]; then
            kill "$pid"
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        fi
        rm -f "$file"
    fi
done
