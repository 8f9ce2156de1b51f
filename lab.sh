#!/usr/bin/env bash
# Tabby's main job on one machine: a cluster of N nodes, each a network namespace running tabby-node,
# on a shared bridge with a BIRD top-of-rack router, sharing the embedded datastore; pods are network
# namespaces wired by the tabby-cni plugin exactly as a container runtime would call it.
#
#   sudo ./lab.sh [up] [--nodes N] [--pods N] [--mode mesh|rr] [--encap none|vxlan] [--check] [--restart-check] [--policy-check]
#   sudo ./lab.sh down
#
# `up` prints `tabbyctl node status` of node1 and a pod-to-pod ping matrix, then stays up until
# interrupted (Ctrl-C tears it down). `--check` exits instead, with 0 only when every BGP session is
# Established and every pod reaches every other pod. `--restart-check` also restarts node2's agent
# (SIGTERM, start again) under a continuous ping from node1 and requires that no ping is lost.
# `--policy-check` applies a NetworkPolicy that admits only node1-pod1 into the pods, requires the
# ping matrix to follow it (and `tabbyctl policy trace` to agree on every cell), then removes it.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
LAB=$ROOT/.lab
PREFIX=tabby-lab
NODES=3
PODS=2
MODE=mesh
ENCAP=none
CHECK=0
RESTART_CHECK=0
POLICY_CHECK=0
ACTION=up

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    up|down) ACTION=$1 ;;
    --nodes) NODES=${2:?}; shift ;;
    --pods) PODS=${2:?}; shift ;;
    --mode) MODE=${2:?}; shift ;;
    --encap) ENCAP=${2:?}; shift ;;
    --check) CHECK=1 ;;
    --restart-check) RESTART_CHECK=1 ;;
    --policy-check) POLICY_CHECK=1 ;;
    -h|--help) usage ;;
    *) echo "lab.sh: unknown argument \"$1\"" >&2; usage ;;
  esac
  shift
done
[[ $NODES =~ ^[0-9]+$ ]] && [ "$NODES" -ge 1 ] && [ "$NODES" -le 50 ] || { echo "lab.sh: --nodes must be 1-50" >&2; exit 2; }
[[ $PODS =~ ^[0-9]+$ ]] && [ "$PODS" -ge 1 ] && [ "$PODS" -le 20 ] || { echo "lab.sh: --pods must be 1-20" >&2; exit 2; }
[[ $MODE == mesh || $MODE == rr ]] || { echo "lab.sh: --mode must be mesh or rr" >&2; exit 2; }
[[ $ENCAP == none || $ENCAP == vxlan ]] || { echo "lab.sh: --encap must be none or vxlan" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "lab.sh: needs root (network namespaces); run with sudo" >&2; exit 2; }

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

down() {
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$PREFIX-" || true); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
  done
  sleep 1
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$PREFIX-" || true); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns delete "$ns" 2>/dev/null || true
  done
  rm -rf "$LAB/run" "$LAB/datastore"
}

if [ "$ACTION" = down ]; then
  down
  say "lab removed"
  exit 0
fi

build() {
  say "building tabby-node, tabbyctl and tabby-cni (Release)"
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
  for p in Node Ctl Cni; do
    dotnet build "src/$p" -c Release --verbosity quiet -nologo -o "$LAB/bin/$p" >/dev/null
  done
}

scripts/install-packages.sh bird2 iproute2 iputils-ping nftables
build
down
mkdir -p "$LAB/run" "$LAB/logs" "$LAB/datastore"
NODE_BIN=$LAB/bin/Node/tabby-node
CTL="$LAB/bin/Ctl/tabbyctl"
CNI_BIN=$LAB/bin/Cni/tabby-cni
ctl() { "$CTL" "$@" --datastore-type embedded --data-dir "$LAB/datastore"; }

say "network: $NODES nodes on a bridge with a BIRD top-of-rack router (192.0.2.254, AS 65000)"
TOR=$PREFIX-tor
ip netns add "$TOR"
ip -n "$TOR" link set lo up
ip -n "$TOR" link add br0 type bridge
ip -n "$TOR" link set br0 up
ip -n "$TOR" link add tor0 type veth peer name tor0-br
ip -n "$TOR" link set tor0-br master br0
ip -n "$TOR" link set tor0-br up
ip -n "$TOR" addr add 192.0.2.254/24 dev tor0
ip -n "$TOR" link set tor0 up
for k in $(seq 1 "$NODES"); do
  ns=$PREFIX-node$k
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip -n "$TOR" link add "n$k" type veth peer name eth0 netns "$ns"
  ip -n "$TOR" link set "n$k" master br0
  ip -n "$TOR" link set "n$k" up
  ip -n "$ns" addr add "192.0.2.$k/24" dev eth0
  ip -n "$ns" link set eth0 up
done

{
  echo "router id 192.0.2.254;"
  echo "protocol device {}"
  for k in $(seq 1 "$NODES"); do
    echo "protocol bgp node$k { local 192.0.2.254 as 65000; neighbor 192.0.2.$k as 64512; connect delay time 1; connect retry time 2; ipv4 { import all; export none; }; }"
  done
} > "$LAB/run/tor.conf"
ip netns exec "$TOR" bird -f -c "$LAB/run/tor.conf" -s "$LAB/run/tor.ctl" -P "$LAB/run/tor.pid" > "$LAB/logs/tor.log" 2>&1 &

say "cluster configuration ($MODE, encapsulation $ENCAP)"
MESH=true
[ "$MODE" = rr ] && MESH=false
cat > "$LAB/run/cluster.yaml" <<EOF
apiVersion: projectcalico.org/v3
kind: BGPConfiguration
metadata:
  name: default
spec:
  asNumber: 64512
  nodeToNodeMeshEnabled: $MESH
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata:
  name: tor
spec:
  peerIP: 192.0.2.254
  asNumber: 65000
EOF
if [ "$MODE" = rr ]; then
  cat >> "$LAB/run/cluster.yaml" <<EOF
---
apiVersion: projectcalico.org/v3
kind: Node
metadata:
  name: node1
  labels:
    route-reflector: "true"
spec:
  bgp:
    routeReflectorClusterID: 224.0.0.1
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata:
  name: clients-to-reflector
spec:
  nodeSelector: "!has(route-reflector)"
  peerSelector: route-reflector == 'true'
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata:
  name: reflector-to-clients
spec:
  nodeSelector: route-reflector == 'true'
  peerSelector: "!has(route-reflector)"
EOF
fi
ctl apply -f "$LAB/run/cluster.yaml" >/dev/null

VXLAN=Never
[ "$ENCAP" = vxlan ] && VXLAN=Always
start_agent() {
  local k=$1
  ip netns exec "$PREFIX-node$k" env NODENAME="node$k" IP="192.0.2.$k/24" AS=64512 DATASTORE_TYPE=embedded \
    TABBY_DATASTORE_DIR="$LAB/datastore" CALICO_IPV4POOL_CIDR=198.18.0.0/16 CALICO_IPV4POOL_BLOCK_SIZE=26 \
    CALICO_IPV4POOL_VXLAN=$VXLAN CALICO_IPV4POOL_NAT_OUTGOING=true TABBY_STATUS_SOCKET="$LAB/run/node$k.sock" \
    TABBY_MTU_FILE="$LAB/run/node$k.mtu" TABBY_LOG_LEVEL=info \
    "$NODE_BIN" >> "$LAB/logs/node$k.log" 2>&1 &
}

say "starting tabby-node on $NODES nodes"
for k in $(seq 1 "$NODES"); do
  start_agent "$k"
done

status_json() { "$CTL" node status --socket "$LAB/run/node$1.sock" -o json 2>/dev/null || true; }
peers_down() { # prints the number of peers of node $1 that are not up (or 99 when the agent does not answer)
  local json; json=$(status_json "$1")
  [ -n "$json" ] || { echo 99; return; }
  local total up
  total=$(grep -c '"peerAddress"' <<<"$json" || true)
  up=$(grep -c '"state": "up"' <<<"$json" || true)
  [ "$total" -gt 0 ] || { echo 98; return; }
  echo $((total - up))
}

say "waiting for BGP sessions"
deadline=$((SECONDS + 120))
while :; do
  down_total=0
  for k in $(seq 1 "$NODES"); do down_total=$((down_total + $(peers_down "$k"))); done
  [ "$down_total" -eq 0 ] && break
  if [ $SECONDS -ge $deadline ]; then
    say "not every BGP session is Established after 120 s"
    break
  fi
  sleep 2
done
BGP_OK=$([ "${down_total:-1}" -eq 0 ] && echo 1 || echo 0)

say "creating $PODS pods per node through tabby-cni"
declare -A POD_IP
POD_NAMES=()
for k in $(seq 1 "$NODES"); do
  cat > "$LAB/run/cni-node$k.json" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "k8s-pod-network",
  "type": "tabby-cni",
  "nodename": "node$k",
  "datastore_type": "embedded",
  "datastore_dir": "$LAB/datastore",
  "mtu_file": "$LAB/run/node$k.mtu",
  "ipam_lock_file": "$LAB/run/node$k.ipam.lock",
  "ipam": { "type": "tabby-ipam", "assign_ipv4": "true" }
}
EOF
  for j in $(seq 1 "$PODS"); do
    pod=node$k-pod$j
    ns=$PREFIX-$pod
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    if ! ip netns exec "$PREFIX-node$k" env CNI_COMMAND=ADD CNI_CONTAINERID="lab-$pod" CNI_NETNS="/run/netns/$ns" CNI_IFNAME=eth0 \
        CNI_PATH="$LAB/bin/Cni" CNI_ARGS="K8S_POD_NAMESPACE=default;K8S_POD_NAME=$pod" \
        "$CNI_BIN" < "$LAB/run/cni-node$k.json" > "$LAB/logs/cni-$pod.json" 2> "$LAB/logs/cni-$pod.err"; then
      say "CNI ADD failed for $pod:"; cat "$LAB/logs/cni-$pod.json" "$LAB/logs/cni-$pod.err" >&2
      continue
    fi
    POD_IP[$pod]=$(ip -n "$ns" -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1)
    POD_NAMES+=("$pod")
  done
done

say "waiting for every node to route to every other node's pods"
deadline=$((SECONDS + 90))
for from in "${POD_NAMES[@]}"; do
  for to in "${POD_NAMES[@]}"; do
    [ "$from" = "$to" ] && continue
    until ip netns exec "$PREFIX-$from" ping -n -q -c 1 -W 1 "${POD_IP[$to]}" >/dev/null 2>&1 || [ $SECONDS -ge $deadline ]; do sleep 1; done
  done
done

say "tabbyctl node status (node1)"
"$CTL" node status --socket "$LAB/run/node1.sock" || true

say "pod-to-pod ping matrix"
MATRIX_OK=1
printf '%-14s' "from \\ to"
for to in "${POD_NAMES[@]}"; do printf ' %-12s' "$to"; done
printf '\n'
for from in "${POD_NAMES[@]}"; do
  printf '%-14s' "$from"
  for to in "${POD_NAMES[@]}"; do
    if [ "$from" = "$to" ]; then printf ' %-12s' "-"; continue; fi
    ok=0
    for _ in 1 2 3 4 5; do
      if ip netns exec "$PREFIX-$from" ping -n -q -c 1 -W 1 "${POD_IP[$to]}" >/dev/null 2>&1; then ok=1; break; fi
    done
    if [ $ok -eq 1 ]; then printf ' %-12s' "ok"; else printf ' %-12s' "FAIL"; MATRIX_OK=0; fi
  done
  printf '\n'
done
for pod in "${POD_NAMES[@]}"; do printf '  %-14s %s\n' "$pod" "${POD_IP[$pod]}"; done
[ "${#POD_NAMES[@]}" -eq $((NODES * PODS)) ] || MATRIX_OK=0

GR_OK=1
if [ $RESTART_CHECK -eq 1 ] && [ "$NODES" -ge 2 ]; then
  say "graceful restart: node2's agent stops (SIGTERM) and starts again under a continuous ping from node1-pod1 to node2-pod1"
  ip netns exec "$PREFIX-node1-pod1" ping -n -i 0.2 -W 1 "${POD_IP[node2-pod1]}" > "$LAB/logs/restart-ping.log" 2>&1 &
  ping_pid=$!
  sleep 2
  for pid in $(ip netns pids "$PREFIX-node2"); do
    if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = tabby-node ]; then
      kill -TERM "$pid"
      while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
    fi
  done
  sleep 3
  start_agent 2
  deadline=$((SECONDS + 90))
  until [ "$(peers_down 2)" -eq 0 ] || [ $SECONDS -ge $deadline ]; do sleep 1; done
  sleep 2
  kill -INT "$ping_pid"; wait "$ping_pid" || true
  summary=$(grep -E 'packets transmitted' "$LAB/logs/restart-ping.log" || echo "no ping summary")
  echo "  $summary"
  sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' <<<"$summary")
  received=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$summary")
  if [ -n "$sent" ] && [ "$sent" -gt 0 ] && [ "$sent" = "$received" ] && [ "$(peers_down 2)" -eq 0 ]; then
    say "no ping lost while node2's agent restarted; its sessions are back"
  else
    say "graceful restart check failed: $summary"
    GR_OK=0
  fi
fi

POLICY_OK=1
if [ $POLICY_CHECK -eq 1 ] && [ "${#POD_NAMES[@]}" -ge 2 ]; then
  admitted=${POD_NAMES[0]}
  say "network policy: only $admitted may reach the pods (ipBlock ${POD_IP[$admitted]}/32)"
  cat > "$LAB/run/policy.yaml" <<EOF
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: lab-only-$admitted
  namespace: default
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
  - from:
    - ipBlock:
        cidr: ${POD_IP[$admitted]}/32
EOF
  "$CTL" apply --data-dir "$LAB/datastore" -f "$LAB/run/policy.yaml"
  # Replies to admitted pings are established traffic; everyone else is refused at the target.
  expect() { [ "$1" = "$admitted" ] && echo ok || echo denied; }
  probe() { ip netns exec "$PREFIX-$1" ping -n -q -c 1 -W 1 "${POD_IP[$2]}" >/dev/null 2>&1 && echo ok || echo denied; }
  deadline=$((SECONDS + 30))
  for from in "${POD_NAMES[@]}"; do
    for to in "${POD_NAMES[@]}"; do
      [ "$from" = "$to" ] && continue
      until [ "$(probe "$from" "$to")" = "$(expect "$from")" ] || [ $SECONDS -ge $deadline ]; do sleep 0.5; done
    done
  done
  printf '%-14s' "from \\ to"
  for to in "${POD_NAMES[@]}"; do printf ' %-12s' "$to"; done
  printf '\n'
  for from in "${POD_NAMES[@]}"; do
    printf '%-14s' "$from"
    for to in "${POD_NAMES[@]}"; do
      if [ "$from" = "$to" ]; then printf ' %-12s' "-"; continue; fi
      got=$(probe "$from" "$to")
      # The evaluator the agents use must say the same (ICMP echo from one pod IP to another).
      traced=$("$CTL" policy trace --data-dir "$LAB/datastore" --from "${POD_IP[$from]}" --to "${POD_IP[$to]}" -p ICMP 2>/dev/null | head -1 | awk '{print $1}' || true)
      traced=$([ "$traced" = ALLOW ] && echo ok || echo denied)
      if [ "$got" = "$(expect "$from")" ] && [ "$traced" = "$got" ]; then printf ' %-12s' "$got"; else printf ' %-12s' "MISMATCH"; POLICY_OK=0; fi
    done
    printf '\n'
  done
  "$CTL" delete --data-dir "$LAB/datastore" -f "$LAB/run/policy.yaml"
  deadline=$((SECONDS + 30))
  for from in "${POD_NAMES[@]}"; do
    for to in "${POD_NAMES[@]}"; do
      [ "$from" = "$to" ] && continue
      until [ "$(probe "$from" "$to")" = ok ] || [ $SECONDS -ge $deadline ]; do sleep 0.5; done
      [ "$(probe "$from" "$to")" = ok ] || { say "$from cannot reach $to after the policy was removed"; POLICY_OK=0; }
    done
  done
  [ $POLICY_OK -eq 1 ] && say "policy enforced as written and traced, and lifted again"
fi

RESULT=0
[ "$BGP_OK" -eq 1 ] && [ "$MATRIX_OK" -eq 1 ] && [ "$GR_OK" -eq 1 ] && [ "$POLICY_OK" -eq 1 ] || RESULT=1
if [ $RESULT -eq 0 ]; then say "lab OK: every BGP session Established, every pod reaches every pod"; else say "lab NOT OK (logs in $LAB/logs)"; fi
if [ $CHECK -eq 1 ]; then
  down
  exit $RESULT
fi
say "the lab stays up; Ctrl-C (or ./lab.sh down) removes it. Logs: $LAB/logs, tabbyctl: $CTL"
trap 'down; say "lab removed"; exit $RESULT' INT TERM
while :; do sleep 3600; done
