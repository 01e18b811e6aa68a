// A deadlock between tasks waiting on event sources: the parent waits in epoll_wait
// for a pipe that only it could write to, and its child reads an eventfd that only
// the parent could write to. Neither can ever return (epoll_wait(2) waits for an event
// or a signal; an eventfd read blocks while the count is 0, eventfd(2)), so weft
// reports the deadlock, naming what each task waits on, and exits with status 123
// (cmd/weft/main.go: kernel.Deadlock).
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

int main(void) {
	int p[2];
	pipe(p);
	int e = eventfd(0, 0);
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN};
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
	if (fork() == 0) {
		printf("child: reading the eventfd\n");
		fflush(stdout);
		uint64_t v;
		read(e, &v, 8);
		return 0;
	}
	usleep(1000);
	printf("parent: waiting in epoll_wait\n");
	fflush(stdout);
	epoll_wait(ep, &ev, 1, -1);
	return 0;
}
