// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * hcserver: the real servers of the health-check benchmark (bench/healthcheck.py). One
 * process per real's namespace answers every HTTP request on [::]:PORT (every VIP on its lo)
 * with "200 OK" and closes, on one epoll loop, so that a thousand checks a second cost the
 * servers little next to the agent that is being measured. Python's http.server would need
 * a core of its own for that rate.
 *
 *   hcserver PORT      (runs until killed)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static const char answer[] = "HTTP/1.0 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: hcserver PORT\n");
		return 2;
	}
	int port = atoi(argv[1]);
	int ls = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0), zero = 0, one = 1;
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = in6addr_any };

	if (ls < 0 || setsockopt(ls, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) ||
	    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 4096)) {
		perror("hcserver: listen");
		return 1;
	}
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = ls }, got[256];

	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev)) {
		perror("hcserver: epoll");
		return 1;
	}
	for (;;) {
		int n = epoll_wait(ep, got, 256, -1);

		if (n < 0 && errno != EINTR) {
			perror("hcserver: epoll_wait");
			return 1;
		}
		for (int i = 0; i < n; i++) {
			int fd = got[i].data.fd;

			if (fd == ls) {
				int c;

				while ((c = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					struct epoll_event cev = { .events = EPOLLIN | EPOLLRDHUP, .data.fd = c };

					if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev))
						close(c);
				}
				continue;
			}
			/* a probe's request fits one segment: answer once any of it came, then close */
			char buf[1024];
			ssize_t r = read(fd, buf, sizeof(buf));

			if (r > 0 && write(fd, answer, sizeof(answer) - 1) < 0) {
				/* the peer went away: nothing to answer */
			}
			if (r > 0 || r == 0 || (errno != EAGAIN && errno != EINTR))
				close(fd); /* closing removes it from the epoll set */
		}
	}
}
