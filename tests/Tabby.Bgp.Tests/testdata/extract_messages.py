#!/usr/bin/env python3
"""Splits the BGP messages out of a pcap (via tshark) into hex files, one message per line.

Usage: extract_messages.py PCAP OUTDIR NAME SPEAKER_V4 SPEAKER_V6
Writes OUTDIR/NAME-ipv4.hex and OUTDIR/NAME-ipv6.hex holding the messages the daemon (the
speaker address) sent on each session, and OUTDIR/NAME-ipv4-peer.hex / -ipv6-peer.hex holding what
the responder sent. TCP payloads of one direction are concatenated in capture order and cut at the
BGP length field, so messages split across segments (or several per segment) come out whole.
"""
import collections, subprocess, sys

pcap, outdir, name, spk4, spk6 = sys.argv[1:6]
fields = ["ip.src", "ipv6.src", "tcp.srcport", "tcp.dstport", "tcp.payload"]
cmd = ["tshark", "-r", pcap, "-Y", "tcp.len > 0 && !tcp.analysis.retransmission", "-T", "fields"]
for f in fields:
    cmd += ["-e", f]
out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
streams = collections.OrderedDict()
for line in out.splitlines():
    src4, src6, sport, dport, payload = (line.split("\t") + [""] * 5)[:5]
    src = src4 or src6
    family = "ipv4" if src4 else "ipv6"
    role = "" if src in (spk4, spk6) else "-peer"
    streams.setdefault(family + role, bytearray()).extend(bytes.fromhex(payload.replace(":", "")))
for key, data in streams.items():
    lines, pos = [], 0
    while pos + 19 <= len(data):
        length = int.from_bytes(data[pos + 16:pos + 18], "big")
        if length < 19 or pos + length > len(data):
            break
        lines.append(data[pos:pos + length].hex())
        pos += length
    with open(f"{outdir}/{name}-{key}.hex", "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{name}-{key}: {len(lines)} messages")
