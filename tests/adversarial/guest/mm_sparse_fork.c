// Page tables count against the cap: one touched page every 2 MiB needs a page-table
// leaf each, and children that change the protection of the whole range copy the
// leaves they shared with their parent. Past the cap mprotect fails with ENOMEM (or a
// child is killed for want of memory); weft itself stays within the cap.
#include "adv.h"
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define SPAN (8L << 30)
#define STEP (2L << 20)

int main(void) {
	char *p = mmap(NULL, SPAN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	expect_ok("mmap 8 GiB", p == MAP_FAILED ? -1 : 0);
	for (long off = 0; off < SPAN; off += STEP)
		p[off] = 1;
	int enomem = 0, ok = 0;
	for (int i = 0; i < 8; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			if (mprotect(p, SPAN, PROT_READ) != 0)
				_exit(errno == ENOMEM ? 2 : 3);
			pause(); // hold the copied page table until killed
			_exit(0);
		}
		if (pid < 0) {
			check(errno == ENOMEM || errno == EAGAIN, "fork %d failed with %s", i, errname(errno));
			break;
		}
		int st;
		usleep(1000);
		if (waitpid(pid, &st, WNOHANG) == pid) {
			if (WIFEXITED(st) && WEXITSTATUS(st) == 2)
				enomem++;
			else if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
				check(0, "child %d ended with status %#x", i, st);
			continue;
		}
		ok++;
	}
	check(enomem > 0, "%d children copied their page tables, then mprotect failed with ENOMEM in %d", ok, enomem);
	signal(SIGTERM, SIG_IGN);
	kill(0, SIGTERM); // the children that hold their copies
	while (wait(NULL) > 0)
		;
	return done();
}
