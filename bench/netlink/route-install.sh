#!/usr/bin/env bash
# Kernel route programming, side by side in one run: Tabby's batched netlink client, a minimal C
# program doing the same batching (raw-batch.c: the kernel's batched rate with next to no user-space
# work), `ip -batch` and BIRD 2's kernel protocol each install and then delete N blackhole /32
# routes in a fresh network namespace. Prints one JSON line per tool and phase, then a Markdown table.
#
#   sudo [ROUNDS=3] bench/netlink/route-install.sh [COUNT ...]        (default: 100000 1000000)
#
# Each count runs ROUNDS rounds of all four tools, interleaved so that a change in machine load
# hits every tool alike; the table shows the median wall and CPU time per tool and phase.
# Measures wall time, routes/s, CPU seconds (user+system of the tool's process: rtnetlink work runs
# in the sender's context, so the kernel's share is included) and peak RSS. On a shared machine wall
# time suffers from other load; CPU seconds do not, so the table shows both rates.
set -euo pipefail
cd "$(dirname "$0")"
COUNTS=("${@:-100000 1000000}")
# shellcheck disable=SC2206
COUNTS=(${COUNTS[*]})
ROUNDS=${ROUNDS:-3}
WORK=$(mktemp -d /tmp/tabby-route-bench.XXXXXX)
NS=tabby-bench-$$
RESULTS=$WORK/results.jsonl
trap 'ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null; ip netns del "$NS" 2>/dev/null || true; rm -rf "$WORK"' EXIT

[ "$(id -u)" -eq 0 ] || { echo "route-install.sh: needs root (network namespaces)" >&2; exit 2; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build -c Release RouteInstall.cs -v quiet -nologo >/dev/null
gcc -O2 -Wall -o "$WORK/raw-batch" raw-batch.c

now() { date +%s.%N; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # utime + stime, in clock ticks
hz=$(getconf CLK_TCK)

fresh_namespace() {
  ip netns del "$NS" 2>/dev/null || true
  ip netns add "$NS"
  ip -n "$NS" link set lo up
}

run_tabby() {
  local n=$1
  fresh_namespace
  ip netns exec "$NS" dotnet run -c Release --no-build RouteInstall.cs "$n" >>"$RESULTS"
}

run_raw() {
  fresh_namespace
  ip netns exec "$NS" "$WORK/raw-batch" "$1" >>"$RESULTS"
}

run_ip_batch() {
  local n=$1 phase verb
  fresh_namespace
  for phase in install delete; do
    verb=$([ $phase = install ] && echo add || echo del)
    awk -v n="$n" -v verb="$verb" 'BEGIN { for (i = 0; i < n; i++) printf "route %s blackhole 10.%d.%d.%d/32 proto 80\n", verb, int(i / 65536) % 256, int(i / 256) % 256, i % 256 }' >"$WORK/batch"
    /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" ip -n "$NS" -batch "$WORK/batch"
    read -r wall user sys rss <"$WORK/time"
    if [ $phase = install ]; then
      local have
      have=$(ip -n "$NS" route show proto 80 | wc -l)
      [ "$have" -eq "$n" ] || { echo "ip -batch installed $have of $n routes" >&2; exit 1; }
    fi
    awk -v p=$phase -v n="$n" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" 'BEGIN {
      printf "{\"tool\":\"ip -batch\",\"phase\":\"%s\",\"routes\":%d,\"seconds\":%.3f,\"routes_per_s\":%.0f,\"cpu_s\":%.3f,\"peak_rss_kb\":%d}\n", p, n, w, n / w, u + s, r }' >>"$RESULTS"
  done
}

bird_exported() {
  birdc -s "$WORK/bird.ctl" show protocols all k4 | awk '/Routes:/ { for (i = 1; i <= NF; i++) if ($(i+1) ~ /^exported/) { print $i; exit } }'
}

wait_exported() {
  local want=$1
  while :; do
    local have
    have=$(bird_exported)
    [ "${have:-0}" -eq "$want" ] && return 0
    sleep 0.05
  done
}

run_bird() {
  local n=$1
  fresh_namespace
  {
    echo "log \"$WORK/bird.log\" all;"
    echo "router id 192.0.2.1;"
    echo "protocol device { scan time 3600; }"
    # One RTM_NEWROUTE with ACK per route, synchronously (BIRD 2's netlink.c); no periodic scan during the run.
    echo "protocol kernel k4 { ipv4 { import none; export all; }; learn off; persist off; scan time 3600; }"
    echo "protocol static s4 { disabled; ipv4;"
    awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "  route 10.%d.%d.%d/32 blackhole;\n", int(i / 65536) % 256, int(i / 256) % 256, i % 256 }'
    echo "}"
  } >"$WORK/bird.conf"
  ip netns exec "$NS" bird -c "$WORK/bird.conf" -s "$WORK/bird.ctl" -P "$WORK/bird.pid"
  until [ -s "$WORK/bird.pid" ] && birdc -s "$WORK/bird.ctl" show status >/dev/null 2>&1; do sleep 0.1; done
  local pid phase start ticks0 wall cpu rss
  pid=$(cat "$WORK/bird.pid")
  for phase in install delete; do
    ticks0=$(ticks "$pid")
    start=$(now)
    if [ $phase = install ]; then
      birdc -s "$WORK/bird.ctl" enable s4 >/dev/null
      wait_exported "$n"
    else
      birdc -s "$WORK/bird.ctl" disable s4 >/dev/null
      wait_exported 0
      # The count drops as withdrawals are queued; the phase ends when the kernel table is empty.
      while [ "$(ip -n "$NS" route show proto bird | head -c1 | wc -c)" -ne 0 ]; do sleep 0.05; done
    fi
    wall=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
    cpu=$(awk -v a="$ticks0" -v b="$(ticks "$pid")" -v hz="$hz" 'BEGIN { printf "%.3f", (b - a) / hz }')
    rss=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
    if [ $phase = install ]; then
      local have
      have=$(ip -n "$NS" route show proto bird | wc -l)
      [ "$have" -eq "$n" ] || { echo "BIRD installed $have of $n routes" >&2; exit 1; }
    fi
    awk -v p=$phase -v n="$n" -v w="$wall" -v c="$cpu" -v r="$rss" 'BEGIN {
      printf "{\"tool\":\"bird kernel\",\"phase\":\"%s\",\"routes\":%d,\"seconds\":%.3f,\"routes_per_s\":%.0f,\"cpu_s\":%.3f,\"peak_rss_kb\":%d}\n", p, n, w, n / w, c, r }' >>"$RESULTS"
  done
  kill "$pid"
}

echo "machine: $(nproc) cores, kernel $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "versions: $(ip -V), $(bird --version 2>&1), dotnet $(dotnet --version)"
echo "date: $(date -u +%FT%TZ)"
for n in "${COUNTS[@]}"; do
  for ((round = 1; round <= ROUNDS; round++)); do
    run_tabby "$n"
    run_raw "$n"
    run_ip_batch "$n"
    run_bird "$n"
  done
done
cat "$RESULTS"
# The same, as "RESULT {json}" lines for bench.sh's summary (bench/report.py takes the median of the rounds).
python3 - "$RESULTS" <<'PY'
import json, sys
names = {"tabby": "tabby", "bird kernel": "bird", "raw C batch": "raw C batch", "ip -batch": "ip -batch"}
for line in open(sys.argv[1]):
    r = json.loads(line)
    case = f"{r['routes']} routes {r['phase']}"
    for metric, value, unit, kind in (("wall", r["seconds"], "s", "time"), ("CPU", r["cpu_s"], "s", "cpu"),
                                      ("peak RSS", round(r["peak_rss_kb"] / 1024, 1), "MiB", "memory")):
        print("RESULT " + json.dumps({"scenario": "routes", "case": case, "tool": names.get(r["tool"], r["tool"]),
                                      "metric": metric, "value": value, "unit": unit, "kind": kind}))
PY
echo
echo "| routes | tool | phase | runs | wall s | routes/s (wall) | CPU s | routes/CPU-s | peak RSS MB |"
echo "|---:|---|---|---:|---:|---:|---:|---:|---:|"
sed -E 's/[{}"]//g' "$RESULTS" | awk -F, '
  function median(values, key, count,    i, j, t, a) {
    for (i = 1; i <= count; i++) a[i] = values[key, i]
    for (i = 2; i <= count; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return count % 2 ? a[(count + 1) / 2] : (a[count / 2] + a[count / 2 + 1]) / 2
  }
  {
    for (i = 1; i <= NF; i++) { split($i, kv, ":"); v[kv[1]] = kv[2] }
    key = v["routes"] SUBSEP v["tool"] SUBSEP v["phase"]
    if (!(key in runs)) order[++keys] = key
    c = ++runs[key]; wall[key, c] = v["seconds"]; cpu[key, c] = v["cpu_s"]
    if (v["peak_rss_kb"] + 0 > rss[key] + 0) rss[key] = v["peak_rss_kb"]
  }
  END {
    for (k = 1; k <= keys; k++) {
      key = order[k]; split(key, p, SUBSEP)
      w = median(wall, key, runs[key]); c = median(cpu, key, runs[key])
      printf "| %d | %s | %s | %d | %.2f | %d | %.2f | %d | %.0f |\n", p[1], p[2], p[3], runs[key], w, p[1] / w, c, (c > 0 ? p[1] / c : 0), rss[key] / 1024
    }
  }'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
