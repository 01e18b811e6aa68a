// 20000 mappings that cannot merge, copied into every child of a process that forks
// children and keeps them: the copies count against the cap, and fork fails with ENOMEM
// (or EAGAIN at weft's task limit) instead of growing weft without bound.
#include "adv.h"
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
	long maps = 0;
	for (int i = 0; i < 20000; i++) {
		void *p = mmap(NULL, 4096, i % 2 ? PROT_READ : PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			break;
		maps++;
	}
	check(maps == 20000, "made %ld mappings", maps);
	int fds[2];
	expect_ok("pipe", pipe(fds));
	int children = 0, err = 0;
	for (int i = 0; i < 400; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			char c;
			close(fds[1]);
			read(fds[0], &c, 1); // until the parent closes the pipe
			_exit(0);
		}
		if (pid < 0) {
			err = errno;
			break;
		}
		children++;
	}
	check(err == ENOMEM || err == EAGAIN, "fork stopped with ENOMEM or EAGAIN after %d children (got %s)", children, errname(err));
	close(fds[1]);
	int reaped = 0;
	while (wait(NULL) > 0)
		reaped++;
	check(reaped == children, "reaped all %d children", reaped);
	return done();
}
