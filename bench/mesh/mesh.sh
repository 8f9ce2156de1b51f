#!/usr/bin/env bash
# Mesh convergence: N speakers in a full iBGP mesh (AS 65000) inside one network namespace, each
# bound to its own loopback address 198.18.0.K and originating one /26 from 198.18.128.0/17.
# Measured from the launch of the first speaker: the time until every speaker answers on its
# control socket ("up") and until every speaker's Loc-RIB holds all N /26s ("converged"); then the
# sum over the N processes of RSS (VmRSS), peak RSS (VmHWM), PSS (shared pages split between the
# processes that map them) and CPU seconds (user + system).
# Then, once the N processes are idle (at most 120 s), speaker 1 originates one more /26 (Tabby:
# new config + SIGHUP; BIRD: new config + birdc configure) and we time until all N hold N+1 prefixes. bench/mesh/poll.py does the polling (its
# resolution is printed). No kernel routes are programmed (BIRD has no kernel protocol, `tabbyctl
# bgp serve` programs none).
#
# usage (root): [MESH_TABBY_ENV="DOTNET_x=y ..."] bench/mesh/mesh.sh tabby|bird N
# build first:  dotnet build -c Release src/Ctl
# Prints a line for people and a line "RESULT {json}" per metric for bench.sh's summary.
set -euo pipefail
target=$1; n=$2
[ "$n" -ge 2 ] && [ "$n" -le 250 ] || { echo "mesh.sh: N must be 2..250" >&2; exit 2; }
root=$(cd "$(dirname "$0")/../.." && pwd)
tabbyctl=${MESH_TABBYCTL:-$root/src/Ctl/bin/Release/net10.0/tabbyctl}
poll="$root/bench/mesh/poll.py"
converge_timeout=${MESH_TIMEOUT:-600}; add_timeout=${MESH_ADD_TIMEOUT:-120}
work=$(mktemp -d /tmp/bgp-mesh.XXXXXX)
ns=bgpmesh-$$
pids=()

cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for _ in $(seq 1 100); do
    alive=0; for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1 && break; done
    [ $alive -eq 1 ] || break; sleep 0.1
  done
  ip netns pids $ns 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  ip netns del $ns 2>/dev/null || true
  [ "${MESH_KEEP:-0}" = 1 ] && echo "mesh.sh: kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

addr() { echo "198.18.0.$1"; }
# Speaker K's /26: the K-th /26 of 198.18.128.0/17 (K = N + 1 is the block added after convergence).
block() { local i=$(( $1 - 1 )); echo "198.18.$((128 + i / 4)).$(( (i % 4) * 64 ))/26"; }

ip netns add $ns
ip -n $ns link set lo up
for k in $(seq 1 "$n"); do ip -n $ns addr add "$(addr "$k")/32" dev lo; done

# Equal timers on both: first connect at once (BIRD's default connect delay is 5 s, which would
# only measure that timer), connect retry 5 s, hold 90 s / keepalive 30 s (both defaults).
tabby_config() {  # K BLOCKS...
  local k=$1; shift
  echo "routerId: $(addr "$k")"; echo "asNumber: 65000"; echo "listen: [\"$(addr "$k"):179\"]"
  echo "statusSocket: $work/s$k.sock"; echo "peers:"
  for j in $(seq 1 "$n"); do [ "$j" -eq "$k" ] || echo "  - {address: $(addr "$j"), asNumber: 65000, sourceAddress: $(addr "$k"), connectRetryTime: 5}"; done
  echo "originate:"; for b in "$@"; do echo "  - prefix: $b"; done
}
bird_config() {  # K BLOCKS...
  local k=$1; shift
  echo "router id $(addr "$k");"; echo "log stderr { error, fatal };"
  echo "protocol device { scan time 60; }"
  echo "protocol static originated { ipv4;"; for b in "$@"; do echo "  route $b blackhole;"; done; echo "}"
  # strict bind: listen on the local address only (N daemons share the namespace's port 179).
  echo "template bgp mesh { local $(addr "$k") as 65000; strict bind yes; connect delay time 0; connect retry time 5; error wait time 1, 10;"
  echo "  ipv4 { import all; export where proto = \"originated\"; }; }"
  for j in $(seq 1 "$n"); do [ "$j" -eq "$k" ] || echo "protocol bgp p$j from mesh { neighbor $(addr "$j") as 65000; }"; done
}

sockets=()
for k in $(seq 1 "$n"); do
  case $target in
  tabby) tabby_config "$k" "$(block "$k")" > "$work/c$k.yaml"; sockets+=("$work/s$k.sock") ;;
  bird) bird_config "$k" "$(block "$k")" > "$work/c$k.conf"; sockets+=("$work/s$k.ctl") ;;
  *) echo "unknown target $target (tabby, bird)" >&2; exit 2 ;;
  esac
done

start=$(date +%s.%N)
for k in $(seq 1 "$n"); do
  case $target in
  # shellcheck disable=SC2086 # MESH_TABBY_ENV is a list of VAR=value words (runtime knobs to compare)
  tabby) ip netns exec $ns env DOTNET_gcServer=0 ${MESH_TABBY_ENV:-} "$tabbyctl" bgp serve -c "$work/c$k.yaml" --log-level "${MESH_LOG_LEVEL:-warning}" > "$work/l$k.log" 2>&1 & ;;
  bird) ip netns exec $ns bird -f -c "$work/c$k.conf" -s "$work/s$k.ctl" > "$work/l$k.log" 2>&1 & ;;
  esac
  pids+=("$!")
  disown "$!"
done
# ip netns exec execs the daemon, so $! is the daemon itself.

fail() { echo "mesh.sh: $1" >&2; for k in 1 2; do echo "--- speaker $k log:" >&2; tail -5 "$work/l$k.log" >&2 || true; done; exit 1; }
converge=$(python3 "$poll" "$target" "$n" "$start" "$converge_timeout" "${sockets[@]}") || fail "no convergence within ${converge_timeout}s: $converge"
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

hz=$(getconf CLK_TCK)
# One awk over all N /proc files (N awk processes would take seconds on a loaded machine, and the
# speakers keep working meanwhile). stat fields 14 + 15: utime + stime of all threads, in ticks.
proc_files() { for p in "${pids[@]}"; do echo "/proc/$p/$1"; done; }
sum_cpu() { proc_files stat | xargs awk -v hz="$hz" '{ t += $14 + $15 } END { printf "%.2f", t / hz }'; }
sum_status() { proc_files status | xargs awk -v k="$1:" '$1 == k { t += $2 } END { printf "%.0f", t / 1024 }'; }
# PSS (proportional set size): each shared page (the .NET runtime's and BIRD's mapped files, shared
# by all N processes) counted once in total instead of once per process as the RSS sum does.
sum_pss() { proc_files smaps_rollup | xargs awk '$1 == "Pss:" { t += $2 } END { printf "%.0f", t / 1024 }'; }
cpu_converged=$(sum_cpu); rss_converged=$(sum_status VmRSS); pss_converged=$(sum_pss)

# Let the speakers settle before adding the block: a block is added to a running cluster, not to one
# still finishing its start-up (.NET tiered JIT and GC keep Tabby's processes busy for a while after
# convergence). Settled = the N processes used under 0.1 CPU-s in 2 s, or MESH_SETTLE_MAX (120) seconds passed.
settle_start=$(date +%s.%N); settle_max=${MESH_SETTLE_MAX:-120}
previous=$cpu_converged
while :; do
  sleep 2
  now_cpu=$(sum_cpu)
  awk -v a="$previous" -v b="$now_cpu" 'BEGIN { exit !(b - a < 0.1) }' && break
  awk -v a="$settle_start" -v b="$(date +%s.%N)" -v m="$settle_max" 'BEGIN { exit !(b - a >= m) }' && break
  previous=$now_cpu
done
settled=$(awk -v a="$settle_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')

# One more block on speaker 1.
case $target in
tabby) tabby_config 1 "$(block 1)" "$(block $((n + 1)))" > "$work/c1.yaml.new"; mv "$work/c1.yaml.new" "$work/c1.yaml" ;;
bird) bird_config 1 "$(block 1)" "$(block $((n + 1)))" > "$work/c1.conf.new"; mv "$work/c1.conf.new" "$work/c1.conf" ;;
esac
add_start=$(date +%s.%N)
case $target in
tabby) kill -HUP "${pids[0]}" ;;
bird) ip netns exec $ns birdc -s "$work/s1.ctl" configure > "$work/configure.log" 2>&1 || fail "birdc configure: $(cat "$work/configure.log")" ;;
esac
added=$(python3 "$poll" "$target" "$((n + 1))" "$add_start" "$add_timeout" "${sockets[@]}") || fail "added block not everywhere within ${add_timeout}s: $added"

cpu_end=$(sum_cpu); rss_end=$(sum_status VmRSS); hwm_end=$(sum_status VmHWM); pss_end=$(sum_pss)
version=$(case $target in tabby) echo "tabby $(git -C "$root" rev-parse --short HEAD)${MESH_TABBY_ENV:+ with $MESH_TABBY_ENV}";; bird) bird --version 2>&1 | head -1;; esac)
printf '%s | %s speakers | up %s s | converged %s s | settled after %s s | added block everywhere %s s | RSS %s MiB at convergence, %s MiB at the end (peak %s MiB) | PSS %s / %s MiB | CPU %s s at convergence, %s s at the end | poll resolution %s s / %s s | %s\n' \
  "$target" "$n" "$(field "$converge" up_s)" "$(field "$converge" done_s)" "$settled" "$(field "$added" done_s)" "$rss_converged" "$rss_end" "$hwm_end" "$pss_converged" "$pss_end" "$cpu_converged" "$cpu_end" \
  "$(field "$converge" resolution_s)" "$(field "$added" resolution_s)" "$version"
tool=$target
if [ "$target" = tabby ] && [ -n "${MESH_TABBY_ENV:-}" ]; then tool="tabby ($MESH_TABBY_ENV)"; fi
record() { printf 'RESULT {"scenario": "mesh", "case": "%s speakers", "tool": "%s", "metric": "%s", "value": %s, "unit": "%s", "kind": "%s"}\n' "$n" "$tool" "$1" "$2" "$3" "$4"; }
record "converged" "$(field "$converge" done_s)" s time
record "added block" "$(field "$added" done_s)" s time
record "CPU until converged" "$cpu_converged" s cpu
record "CPU until added block everywhere" "$cpu_end" s cpu
record "RSS at convergence" "$rss_converged" MiB memory
record "RSS at the end" "$rss_end" MiB memory
record "peak RSS" "$hwm_end" MiB memory
record "PSS at convergence" "$pss_converged" MiB memory
