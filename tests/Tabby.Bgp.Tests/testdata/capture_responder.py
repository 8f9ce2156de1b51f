#!/usr/bin/env python3
"""Minimal passive BGP peer used only to make the captures in this directory.

It listens on [::]:179 (dual stack), answers each connection's OPEN with an OPEN that offers every
capability we want the daemons to use (multiprotocol IPv4/IPv6 unicast, route refresh, enhanced
route refresh, 4-octet AS, ADD-PATH send/receive, graceful restart, extended message), then sends
KEEPALIVEs and ignores whatever arrives; tcpdump records the exchange. Runs for argv[1] seconds.
"""
import socket, struct, sys, threading, time

MY_AS = 65002
ROUTER_ID = bytes([192, 0, 2, 2])

def cap(code, value):
    return bytes([code, len(value)]) + value

def open_message():
    caps = b"".join([
        cap(1, struct.pack("!HBB", 1, 0, 1)),            # MP IPv4 unicast (RFC 4760)
        cap(1, struct.pack("!HBB", 2, 0, 1)),            # MP IPv6 unicast
        cap(2, b""),                                      # route refresh (RFC 2918)
        cap(70, b""),                                     # enhanced route refresh (RFC 7313)
        cap(65, struct.pack("!I", MY_AS)),               # 4-octet AS (RFC 6793)
        cap(69, struct.pack("!HBBHBB", 1, 1, 3, 2, 1, 3)),  # ADD-PATH send/receive both (RFC 7911)
        cap(64, struct.pack("!HHBBHBB", 120, 1, 1, 0, 2, 1, 0)),  # graceful restart (RFC 4724)
        cap(6, b""),                                      # extended message (RFC 8654)
    ])
    params = bytes([2, len(caps)]) + caps
    body = struct.pack("!BHH4sB", 4, MY_AS, 90, ROUTER_ID, len(params)) + params
    return message(1, body)

def message(kind, body):
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), kind) + body

def serve(conn, deadline):
    conn.settimeout(1.0)
    sent_open = False
    last_keepalive = 0.0
    while time.time() < deadline:
        try:
            data = conn.recv(65536)
            if not data:
                return
            if not sent_open:
                conn.sendall(open_message() + message(4, b""))
                sent_open = True
        except socket.timeout:
            pass
        if sent_open and time.time() - last_keepalive > 5:
            conn.sendall(message(4, b""))
            last_keepalive = time.time()

def main():
    deadline = time.time() + float(sys.argv[1])
    srv = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("::", 179))
    srv.listen(8)
    srv.settimeout(0.5)
    while time.time() < deadline:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            continue
        threading.Thread(target=serve, args=(conn, deadline), daemon=True).start()
    time.sleep(0.5)

if __name__ == "__main__":
    main()
