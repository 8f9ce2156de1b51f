#!/usr/bin/env bash
# Tabby's benchmarks, side by side with the established daemons in the same run, from one command:
#
#   sudo ./bench.sh [--smoke] [--update-docs] [SCENARIO ...]
#
# Scenarios (default: all):
#   codec    BGP UPDATE decode/encode throughput and allocation (BenchmarkDotNet)
#   ingest   BGP ingest, bgperf method: injectors -> target -> monitor; Tabby, BIRD, FRR, GoBGP
#   routes   kernel route install/delete: Tabby's netlink batches, a C batch, ip -batch, BIRD
#   ipam     IPAM allocate+release throughput and p50/p99, 1 and 10 clients, embedded store and etcd
#   policy   compile and apply 1k/10k policies over 1k endpoints: nftables vs iptables-restore
#   mesh     full iBGP mesh of 50 and 100 speakers: convergence, one added block, RSS, CPU; Tabby vs BIRD
#
# --smoke runs every scenario at a small size (what CI runs so the harness never rots). Each
# scenario's output goes to bench/results/<UTC date>/<scenario>.txt; results.json lists every
# scenario with its command, exit status, duration and its measurements (the scenario's
# "RESULT {json}" lines); summary.md is bench/report.py's "Tabby vs each peer" ratio table from
# them, and --update-docs also writes that table into docs/benchmarks.md (between the
# generated:summary markers). machine.txt records the machine and versions.
# Recorded full results and their reading: docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
SMOKE=0
UPDATE_DOCS=0
SCENARIOS=()
for arg in "$@"; do
  case "$arg" in
    --smoke) SMOKE=1 ;;
    --update-docs) UPDATE_DOCS=1 ;;
    codec|ingest|routes|ipam|policy|mesh) SCENARIOS+=("$arg") ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench.sh: unknown argument \"$arg\" (codec, ingest, routes, ipam, policy, mesh, --smoke, --update-docs)" >&2; exit 2 ;;
  esac
done
[ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=(codec ingest routes ipam policy mesh)
[ "$(id -u)" -eq 0 ] || { echo "bench.sh: needs root (network namespaces, daemons, nft)" >&2; exit 2; }

scripts/install-packages.sh bird2 frr gobgpd etcd-server etcd-client nftables iptables ipset iproute2 gcc libc6-dev procps time
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
echo "bench.sh: building Release" >&2
dotnet build bench/Tabby.Benchmarks -c Release --verbosity quiet -nologo >/dev/null
dotnet build src/Ctl -c Release --verbosity quiet -nologo >/dev/null

OUT=$ROOT/bench/results/$(date -u +%Y-%m-%dT%H%MZ)$([ $SMOKE -eq 1 ] && echo -smoke || true)
mkdir -p "$OUT"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "command: ./bench.sh $*"
  echo "nproc: $(nproc)"; echo "memory: $(free -h | awk '/Mem:/ {print $2}')"; echo "kernel: $(uname -r)"
  echo "dotnet: $(dotnet --version)"
  echo "bird: $(bird --version 2>&1 | head -1)"
  echo "frr: $(/usr/lib/frr/bgpd --version 2>&1 | head -1)"
  echo "gobgp: $(gobgpd --version 2>&1 | head -1)"
  echo "etcd: $(etcd --version 2>&1 | head -1)"
  echo "nft: $(nft --version 2>&1)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
} > "$OUT/machine.txt"
BENCH=$ROOT/bench/Tabby.Benchmarks/bin/Release/net10.0/Tabby.Benchmarks

ETCD_PID=
start_etcd() {
  local dir; dir=$(mktemp -d /tmp/tabby-bench-etcd.XXXXXX)
  etcd --data-dir "$dir" --listen-client-urls http://127.0.0.1:23901 --advertise-client-urls http://127.0.0.1:23901 \
    --listen-peer-urls http://127.0.0.1:23902 --initial-advertise-peer-urls http://127.0.0.1:23902 \
    --initial-cluster default=http://127.0.0.1:23902 --log-level warn > "$OUT/etcd.log" 2>&1 &
  ETCD_PID=$!
  for _ in $(seq 1 50); do etcdctl --endpoints http://127.0.0.1:23901 endpoint health >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "bench.sh: etcd did not start" >&2; return 1
}
trap '[ -n "$ETCD_PID" ] && kill "$ETCD_PID" 2>/dev/null || true' EXIT

run_codec() {
  if [ $SMOKE -eq 1 ]; then
    "$BENCH" --filter '*BgpCodec*' --job Dry
  else
    "$BENCH" --filter '*BgpCodec*' --job Short --memory
  fi
}

run_ingest() {
  if [ $SMOKE -eq 1 ]; then
    for target in tabby bird; do bench/bgp/ingest.sh "$target" 1 2000; done
  else
    # GoBGP takes minutes per 100k routes here: bounded so a full run stays bounded.
    for target in tabby bird frr; do bench/bgp/ingest.sh "$target" 10 100000; done
    INGEST_TIMEOUT=300 bench/bgp/ingest.sh gobgp 10 100000
    for target in tabby bird frr; do bench/bgp/ingest.sh "$target" 1 1000000; done
  fi
}

run_routes() {
  if [ $SMOKE -eq 1 ]; then ROUNDS=1 bench/netlink/route-install.sh 2000; else bench/netlink/route-install.sh 100000 1000000; fi
}

run_ipam() {
  start_etcd
  local ops=400
  [ $SMOKE -eq 1 ] && ops=20
  for clients in 1 10; do
    "$BENCH" ipam-load --backend embedded --clients "$clients" --ops $((ops / clients))
    "$BENCH" ipam-load --backend etcd --etcd http://127.0.0.1:23901 --clients "$clients" --ops $((ops / clients))
  done
}

run_policy() {
  if [ $SMOKE -eq 1 ]; then
    "$BENCH" policy-apply --policies 100 --endpoints 100
  else
    bench/Tabby.Benchmarks/Policy/policy-apply.sh
  fi
}

run_mesh() {
  if [ $SMOKE -eq 1 ]; then
    for target in tabby bird; do bench/mesh/mesh.sh "$target" 5; done
  else
    # Interleaved (so a change in machine load hits both), each size twice.
    for speakers in 50 100; do
      for _ in 1 2; do for target in bird tabby; do bench/mesh/mesh.sh "$target" "$speakers"; done; done
    done
  fi
}

# The report generator checks itself first: a broken summary should fail here, not in the docs.
python3 bench/report_test.py > "$OUT/report-test.txt" 2>&1 || { echo "bench.sh: bench/report_test.py failed:" >&2; tail -30 "$OUT/report-test.txt" >&2; exit 1; }

status=0
echo "[" > "$OUT/results.json"
first=1
for scenario in "${SCENARIOS[@]}"; do
  echo "bench.sh: $scenario" >&2
  started=$(date +%s.%N)
  code=0
  "run_$scenario" > "$OUT/$scenario.txt" 2>&1 || code=$?
  seconds=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  [ $code -eq 0 ] || { status=1; echo "bench.sh: $scenario failed (exit $code); see $OUT/$scenario.txt" >&2; tail -20 "$OUT/$scenario.txt" >&2; }
  [ $first -eq 1 ] || echo "," >> "$OUT/results.json"
  first=0
  # A scenario's measurements are its output's "RESULT {json}" lines (one per tool, size and metric).
  results=$(sed -n 's/^RESULT //p' "$OUT/$scenario.txt" | paste -sd, -)
  printf '  {"scenario": "%s", "smoke": %s, "exit": %d, "seconds": %s, "output": "%s", "results": [%s]}' \
    "$scenario" "$([ $SMOKE -eq 1 ] && echo true || echo false)" "$code" "${seconds:-0}" "$scenario.txt" "$results" >> "$OUT/results.json"
done
printf '\n]\n' >> "$OUT/results.json"
python3 bench/report.py "$OUT" > "$OUT/summary.md" || { status=1; echo "bench.sh: bench/report.py failed" >&2; }
if [ $UPDATE_DOCS -eq 1 ]; then
  python3 bench/report.py "$OUT" --update-docs docs/benchmarks.md || { status=1; echo "bench.sh: docs/benchmarks.md not updated" >&2; }
fi
echo "bench.sh: results in ${OUT#"$ROOT"/} (ratios: summary.md)" >&2
exit $status
