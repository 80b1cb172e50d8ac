#!/usr/bin/env bash
# Sweeps on a cluster for real: starts a one-node Slurm cluster from Debian's packages (munged,
# slurmctld, slurmd: proctrack/pgid, task/none, no accounting; two fake GPUs through gres.conf on
# character devices made with mknod) and a throwaway PostgreSQL 15 server with its own role and
# database, all in one temporary directory on free ports; runs the tests that need them (the run
# store suite on PostgreSQL, sweeps as Slurm job arrays, bin/sweep from the command line, and
# notebooks/08-cluster.ipynb through this checkout's kernel, which submits its sweep here); and
# stops everything it started. Nothing outside the temporary directory changes, but for the
# executed notebook's copy, build/notebooks/08-cluster-on-slurm.ipynb. Runs as root after the
# build, which makes the kernel (environment/test.sh does both); about 3 minutes on 2 cores.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ "$(id -u)" -ne 0 ]; then
  echo "test-slurm: run as root: the Slurm daemons run as root and PostgreSQL as its own user" >&2
  exit 1
fi
"$root/environment/install-packages.sh" --cluster
source "$root/environment/java-env.sh"
tmp="$(mktemp -d /tmp/edgepopup-slurmtest.XXXXXX)"
chmod 755 "$tmp" # postgres reaches its data directory below it
pg_bin=/usr/lib/postgresql/15/bin
export SLURM_CONF="$tmp/slurm/slurm.conf"

stop_all() {
  if [ -f "$tmp/slurm/slurmctld.pid" ]; then
    # shellcheck disable=SC2046
    scancel --full --quiet $(squeue -h -o %A 2>/dev/null | sort -u) 2>/dev/null || true
    for _ in $(seq 60); do # KillWait is 30 s
      [ -z "$(squeue -h 2>/dev/null)" ] && break
      sleep 1
    done
  fi
  local f
  for f in slurm/slurmd.pid slurm/slurmctld.pid munge/munged.pid; do
    [ -f "$tmp/$f" ] && kill -TERM "$(cat "$tmp/$f")" 2>/dev/null || true
  done
  if [ -f "$tmp/pg/data/postmaster.pid" ]; then
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$tmp/pg/data" -m fast -w stop >/dev/null || true
  fi
  for f in slurm/slurmd.pid slurm/slurmctld.pid munge/munged.pid; do
    for _ in $(seq 20); do
      [ -f "$tmp/$f" ] && kill -0 "$(cat "$tmp/$f")" 2>/dev/null || break
      sleep 0.5
    done
  done
  rm -rf "$tmp"
}
trap stop_all EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

echo "test-slurm: munge, slurmctld and slurmd in $tmp"
mkdir -p "$tmp/munge" "$tmp/slurm/state" "$tmp/slurm/spool" "$tmp/slurm/dev"
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 600 "$tmp/munge/munge.key"
munged --force --socket="$tmp/munge/socket" --key-file="$tmp/munge/munge.key" \
  --pid-file="$tmp/munge/munged.pid" --log-file="$tmp/munge/munged.log" \
  --seed-file="$tmp/munge/seed"
# Two fake GPUs: character devices of the NVIDIA major number; Slurm hands them out by
# CUDA_VISIBLE_DEVICES, and the workers, which have no GPU natives, say so and use the CPU.
mknod "$tmp/slurm/dev/nvidia0" c 195 0
mknod "$tmp/slurm/dev/nvidia1" c 195 1
host="$(hostname -s)"
cat >"$SLURM_CONF" <<CONF
ClusterName=edgepopup-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
AuthType=auth/munge
AuthInfo=socket=$tmp/munge/socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$tmp/slurm/state
SlurmdSpoolDir=$tmp/slurm/spool
SlurmctldPidFile=$tmp/slurm/slurmctld.pid
SlurmdPidFile=$tmp/slurm/slurmd.pid
SlurmctldLogFile=$tmp/slurm/slurmctld.log
SlurmdLogFile=$tmp/slurm/slurmd.log
ProctrackType=proctrack/pgid
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
GresTypes=gpu
KillWait=30
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=2000 Gres=gpu:2 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
echo "NodeName=$host Name=gpu File=$tmp/slurm/dev/nvidia[0-1]" >"$tmp/slurm/gres.conf"
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 60); do
  [ "$(sinfo -h -o %T 2>/dev/null)" = idle ] && break
  sleep 1
done
if [ "$(sinfo -h -o %T 2>/dev/null)" != idle ]; then
  echo "test-slurm: the node did not come up; slurmctld's and slurmd's logs:" >&2
  tail -n 20 "$tmp/slurm/slurmctld.log" "$tmp/slurm/slurmd.log" >&2 || true
  exit 1
fi
sinfo

echo "test-slurm: a throwaway PostgreSQL 15 server"
mkdir -p "$tmp/pg"
chown postgres "$tmp/pg"
runuser -u postgres -- "$pg_bin/initdb" -D "$tmp/pg/data" -U postgres --auth-local=peer \
  --auth-host=scram-sha-256 >/dev/null
pg_port="$(free_port)"
runuser -u postgres -- "$pg_bin/pg_ctl" -D "$tmp/pg/data" -l "$tmp/pg/log" -w \
  -o "-p $pg_port -k $tmp/pg -c listen_addresses=127.0.0.1" start >/dev/null
password="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
runuser -u postgres -- psql -h "$tmp/pg" -p "$pg_port" -U postgres -q -v ON_ERROR_STOP=1 \
  -c "CREATE ROLE edgepopup_test LOGIN PASSWORD '$password'" \
  -c "CREATE DATABASE edgepopup_test OWNER edgepopup_test"
url="jdbc:postgresql://127.0.0.1:$pg_port/edgepopup_test?user=edgepopup_test&password=$password"

echo "test-slurm: the run store on PostgreSQL and sweeps on Slurm (mvn test)"
cd "$root"
mvn -B -pl kernel-lib test -Dtest='PostgresRunStoreTest,SlurmSweepTest' \
  -Dsurefire.failIfNoSpecifiedTests=false "-Dedgepopup.test.postgres=$url" \
  -Dedgepopup.test.slurm=1

echo "test-slurm: bin/sweep from a login node: submit, watch, status"
grid="$tmp/grid.txt"
printf '%s\n' 'nets = fc' 'keeps = 0.3, 0.7' 'seeds = 1' 'epochs = 1' \
  'train-images = 300' 'test-images = 100' >"$grid"
cli=(--grid "$grid" --store "$url" --checkpoints "$tmp/shared/checkpoints")
(cd "$tmp" && "$root/bin/sweep" "${cli[@]}" --slurm --cpus-per-run 1 --detach) | tee "$tmp/submit.out"
job="$(grep -o '^Slurm job [0-9]*;' "$tmp/submit.out" | head -n 1)"
[ -n "$job" ]
# The same command again watches the submitted runs (or finds them finished): no new job.
(cd "$tmp" && "$root/bin/sweep" "${cli[@]}" --slurm --cpus-per-run 1) | tee "$tmp/watch.out"
grep -q '^2 of 2 planned runs: 2 finished$' "$tmp/watch.out"
if grep '^Slurm job' "$tmp/watch.out" | grep -vq "^$job"; then
  echo "test-slurm: the second command submitted the runs again" >&2
  exit 1
fi
(cd "$tmp" && "$root/bin/sweep" "${cli[@]}" --status) | tee "$tmp/status.out"
grep -q '^2 of 2 planned runs: 2 finished$' "$tmp/status.out"

echo "test-slurm: notebooks/08-cluster.ipynb submits its sweep here (the checkout's kernel, headless)"
# A kernelspec of this checkout's kernel in the temporary directory, found before the user's.
if ! out="$("$root/kernel/install-kernelspec.sh" --prefix "$tmp/jupyter" 2>&1)"; then
  echo "$out" >&2
  exit 1
fi
mkdir -p "$tmp/notebook" "$root/build/notebooks"
start=$(date +%s)
cp "$root/notebooks/08-cluster.ipynb" "$tmp/notebook/"
(cd "$tmp/notebook" && JUPYTER_PATH="$tmp/jupyter/share/jupyter" EDGEPOPUP_STORE="$url" \
  EDGEPOPUP_CHECKPOINTS="$tmp/shared/notebook-checkpoints" /usr/bin/jupyter nbconvert \
  --to notebook --execute --ExecutePreprocessor.kernel_name=java-edgepopup \
  --ExecutePreprocessor.timeout=600 --output executed.ipynb 08-cluster.ipynb)
echo "test-slurm: 08-cluster done in $(( $(date +%s) - start )) s (kernel start, submission, 3 tasks)"
cp "$tmp/notebook/executed.ipynb" "$root/build/notebooks/08-cluster-on-slurm.ipynb"
# Its printed lines; it fails unless every run finished on this cluster in this submission.
/usr/bin/python3 - "$tmp/notebook/executed.ipynb" <<'PY'
import json, re, sys
nb = json.load(open(sys.argv[1]))
outputs = [o for c in nb["cells"] for o in c.get("outputs", [])]
bad = [(o.get("ename"), o.get("evalue")) for o in outputs if o["output_type"] == "error"]
text = "".join("".join(o.get("text", "")) for o in outputs if o["output_type"] == "stream")
shown = "".join("".join(o.get("data", {}).get("text/plain", "")) for o in outputs)
print(text, end="")
if bad:
    sys.exit("test-slurm: 08-cluster has error outputs: %s" % bad)
if not re.search(r"^on Slurm: 3 of 3 runs finished \(3 trained by the cluster now", text, re.M):
    sys.exit("test-slurm: 08-cluster did not print 'on Slurm: 3 of 3 runs finished (3 trained "
             "by the cluster now, ...)'")
if not re.search(r"^Slurm job \d+; task logs in ", shown, re.M):
    sys.exit("test-slurm: 08-cluster's sweep display does not name its Slurm job")
PY
echo "test-slurm: passed"
