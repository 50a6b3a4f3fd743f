#!/usr/bin/env bash
# Start a one-node SLURM cluster on this machine (Debian's slurm-wlm + munge), for the
# SLURM test of the pipeline. Idempotent: installs the packages if missing, writes a
# config only if none exists, starts only the daemons that are not running, and exits 0
# once `sinfo` shows the node idle. Needs root. Stop it with .ci/slurm-down.sh.
#
#   .ci/slurm-up.sh        # state, logs and pid files in $SLURM_STATE_DIR (/var/tmp/peermentor-slurm)
set -euo pipefail

STATE="${SLURM_STATE_DIR:-/var/tmp/peermentor-slurm}"
CONF=/etc/slurm/slurm.conf
MARK="# written by peermentor .ci/slurm-up.sh"
NODE="$(hostname -s)"

if [[ $EUID -ne 0 ]]; then
    echo "slurm-up: needs root (installs packages and starts daemons)" >&2
    exit 1
fi

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    echo "slurm-up: installing slurm-wlm and munge (Debian packages) ..." >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
fi

# munge authenticates every SLURM message; its key must be private to the munge user.
if [[ ! -s /etc/munge/munge.key ]]; then
    mkdir -p /etc/munge
    mungekey -c -k /etc/munge/munge.key 2>/dev/null \
        || dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chown munge:munge /etc/munge/munge.key
chmod 400 /etc/munge/munge.key
mkdir -p /run/munge /var/lib/munge /var/log/munge
chown munge:munge /run/munge /var/lib/munge /var/log/munge
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    runuser -u munge -- /usr/sbin/munged
    for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
fi
munge -n | unmunge >/dev/null || { echo "slurm-up: munged does not answer" >&2; exit 1; }

mkdir -p "$STATE/spool/ctld" "$STATE/spool/d" "$STATE/log" "$STATE/run"
if [[ ! -f "$CONF" ]] || head -1 "$CONF" | grep -qF "$MARK"; then
    # Leave room for the system: the node offers its memory less 1 GB to jobs.
    memory=$(( $(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo) - 1024 ))
    mkdir -p /etc/slurm
    cat > "$CONF.new" <<EOF
$MARK
ClusterName=peermentor
SlurmctldHost=$NODE
AuthType=auth/munge
SlurmUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
SlurmctldPidFile=$STATE/run/slurmctld.pid
SlurmdPidFile=$STATE/run/slurmd.pid
StateSaveLocation=$STATE/spool/ctld
SlurmdSpoolDir=$STATE/spool/d
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
# Finished jobs leave squeue quickly: the status command then reports them by their absence.
MinJobAge=300
NodeName=$NODE CPUs=$(nproc) RealMemory=$memory State=UNKNOWN
PartitionName=main Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
    mv "$CONF.new" "$CONF"
else
    echo "slurm-up: keeping the existing $CONF (not written by this script)" >&2
fi

# A daemon runs if its pid file names a live process of that name (a stale pid file from
# an earlier boot may name some other process).
running() { [[ -f "$2" && "$(cat "/proc/$(cat "$2")/comm" 2>/dev/null)" == "$1" ]]; }
pidfile() { sed -n "s/^$1=//p" "$CONF"; }
running slurmctld "$(pidfile SlurmctldPidFile)" || /usr/sbin/slurmctld
running slurmd "$(pidfile SlurmdPidFile)" || /usr/sbin/slurmd

for _ in $(seq 100); do
    if sinfo --noheader --format '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
        # A node left "down" by an earlier run comes back (ReturnToService covers fresh starts).
        sinfo --noheader
        exit 0
    fi
    if sinfo --noheader --format '%t' 2>/dev/null | grep -qE '^(down|drain)'; then
        scontrol update NodeName="$NODE" State=RESUME 2>/dev/null || true
    fi
    sleep 0.3
done
echo "slurm-up: the node did not become idle; see $STATE/log/" >&2
sinfo >&2 || true
exit 1
