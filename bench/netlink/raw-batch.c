/*
 * Reference point for route-install.sh: the kernel's batched rtnetlink rate with as little
 * user-space work as possible. Installs and deletes N blackhole /32 routes (proto 80) in the
 * current network namespace, packing RTM_NEWROUTE/RTM_DELROUTE messages into BUFFER-byte sendmsg
 * calls with one ACK requested per buffer (errors are always reported by the kernel).
 * Prints one JSON line per phase, like RouteInstall.cs.
 *
 *   gcc -O2 -o raw-batch raw-batch.c && ip netns exec NS ./raw-batch N [BUFFER]
 */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static char receive_buffer[1 << 20];

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* Appends one route message at buf+off; returns the new offset. */
static size_t put_route(char *buf, size_t off, int type, int i, unsigned seq)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(buf + off);
	struct rtmsg *r = NLMSG_DATA(h);
	struct rtattr *a;
	unsigned char dst[4] = {10, (unsigned char)(i >> 16), (unsigned char)(i >> 8), (unsigned char)i};

	memset(h, 0, NLMSG_SPACE(sizeof(*r)) + RTA_SPACE(4) + RTA_SPACE(4));
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | (type == RTM_NEWROUTE ? NLM_F_CREATE | NLM_F_EXCL : 0);
	h->nlmsg_seq = seq;
	r->rtm_family = AF_INET;
	r->rtm_dst_len = 32;
	r->rtm_table = RT_TABLE_MAIN;
	r->rtm_protocol = 80;
	r->rtm_scope = type == RTM_NEWROUTE ? RT_SCOPE_UNIVERSE : RT_SCOPE_NOWHERE;
	r->rtm_type = type == RTM_NEWROUTE ? RTN_BLACKHOLE : RTN_UNSPEC;
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*r));
	a = (struct rtattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));
	a->rta_type = RTA_DST;
	a->rta_len = RTA_LENGTH(4);
	memcpy(RTA_DATA(a), dst, 4);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(a->rta_len);
	return off + NLMSG_ALIGN(h->nlmsg_len);
}

/* Sends buf (messages seq first..last, ACK on the last) and waits for that ACK; returns errors seen. */
static long flush(int fd, char *buf, size_t len, size_t last_off, unsigned last)
{
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	long errors = 0;
	((struct nlmsghdr *)(buf + last_off))->nlmsg_flags |= NLM_F_ACK;
	if (sendto(fd, buf, len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) != (ssize_t)len) {
		perror("sendto");
		exit(1);
	}
	for (;;) {
		ssize_t n = recv(fd, receive_buffer, sizeof(receive_buffer), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("recv");
			exit(1);
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)receive_buffer; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			struct nlmsgerr *e = NLMSG_DATA(h);
			if (e->error)
				errors++;
			if (h->nlmsg_seq == last)
				return errors;
		}
	}
}

static void phase(int fd, const char *name, int type, int count, size_t buffer)
{
	char *buf = malloc(buffer + 256);
	size_t off = 0, last_off = 0;
	unsigned seq = 0;
	long errors = 0;
	double t0 = now(), c0 = cpu_seconds();
	for (int i = 0; i < count; i++) {
		last_off = off;
		off = put_route(buf, off, type, i, ++seq);
		if (off >= buffer) {
			errors += flush(fd, buf, off, last_off, seq);
			off = 0;
		}
	}
	if (off > 0)
		errors += flush(fd, buf, off, last_off, seq);
	double wall = now() - t0, cpu = cpu_seconds() - c0;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	if (errors) {
		fprintf(stderr, "%s: %ld errors\n", name, errors);
		exit(1);
	}
	printf("{\"tool\":\"raw C batch\",\"phase\":\"%s\",\"routes\":%d,\"buffer\":%zu,\"seconds\":%.3f,\"routes_per_s\":%.0f,\"cpu_s\":%.3f,\"peak_rss_kb\":%ld}\n",
	       name, count, buffer, wall, count / wall, cpu, ru.ru_maxrss);
	free(buf);
}

int main(int argc, char **argv)
{
	int count = argc > 1 ? atoi(argv[1]) : 100000;
	size_t buffer = argc > 2 ? (size_t)atol(argv[2]) : 65536;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	int size = 8 << 20;
	struct sockaddr_nl local = {.nl_family = AF_NETLINK};
	if (fd < 0 || bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0) {
		perror("netlink socket");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size));
	phase(fd, "install", RTM_NEWROUTE, count, buffer);
	phase(fd, "delete", RTM_DELROUTE, count, buffer);
	close(fd);
	return 0;
}
