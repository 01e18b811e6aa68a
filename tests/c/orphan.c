// Orphans (wait(2): an orphan is adopted by init or the nearest
// subreaper): a child forks a grandchild and exits; once the child has
// been reaped, the grandchild's getppid() no longer names it.  Under qemu
// the new parent is the host's init or a subreaper and under weft it is
// the guest's pid 1 (this program), so only whether getppid() changed is
// printed, never its value.  Sequencing, so that nothing depends on the
// scheduler:
//   - the child exits only after the grandchild has read getppid() once
//     (pipe "ready");
//   - the grandchild reads pipe "gone" until EOF, which comes when the top
//     process closes its end after reaping the child, so the re-parenting
//     has happened by then;
//   - the grandchild writes its report to pipe "report" and the top process
//     prints it after EOF, before it exits.
// The top process only ever waits for the child by PID: under weft the
// orphan becomes its child, under Linux it does not.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

int main(void) {
	int gone[2], report[2], idpipe[2], ready[2];
	pipe(ready);
	pipe(gone);
	pipe(report);
	pipe(idpipe);
	pid_t top = getpid();
	fflush(stdout);
	pid_t child = fork();
	if (child == 0) {
		pid_t me = getpid();
		fflush(stdout);
		pid_t gc = fork();
		if (gc == 0) {
			close(gone[1]);
			close(report[0]);
			close(idpipe[0]);
			close(idpipe[1]);
			pid_t before = getppid();
			close(ready[0]);
			write(ready[1], "r", 1); // now the child may exit
			close(ready[1]);
			char c;
			ssize_t r = read(gone[0], &c, 1); // EOF once the top process closes its end
			pid_t after = getppid();
			FILE *out = fdopen(report[1], "w");
			fprintf(out, "grandchild: parent was the child: %d\n", before == me);
			fprintf(out, "grandchild: read on the pipe returned %zd (EOF)\n", r);
			fprintf(out, "grandchild: getppid() changed: %d\n", after != before);
			fprintf(out, "grandchild: new parent is not the top process's child: %d\n", after != me);
			fprintf(out, "grandchild: getppid() is nonzero: %d\n", after != 0);
			errno = 0;
			int kr = kill(before, 0);
			fprintf(out, "grandchild: kill(old parent, 0): %d %s\n", kr, ename(errno));
			fclose(out);
			_exit(0);
		}
		close(gone[0]);
		close(gone[1]);
		close(report[0]);
		close(report[1]);
		// Tell the top process the grandchild's PID, then exit without
		// waiting for it.
		write(idpipe[1], &gc, sizeof gc);
		close(ready[1]);
		char c;
		read(ready[0], &c, 1); // the grandchild has seen us as its parent
		printf("child: forked the grandchild, exiting with 21\n");
		exit(21);
	}
	close(gone[0]);
	close(report[1]);
	close(idpipe[1]);
	close(ready[0]);
	close(ready[1]);
	pid_t gc;
	read(idpipe[0], &gc, sizeof gc);
	int st;
	pid_t w = waitpid(child, &st, 0);
	printf("top: reaped the child: %d, code=%d\n", w == child, WEXITSTATUS(st));
	// The grandchild is not the top process's child under Linux (init or a
	// subreaper adopted it); do not look at it except through the pipe.
	close(gone[1]);
	fflush(stdout);
	char buf[1024];
	ssize_t n;
	while ((n = read(report[0], buf, sizeof buf)) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	printf("top: the grandchild's report ended\n");
	printf("top: grandchild pid differs from ours: %d\n", gc != top);
	return 0;
}
