// A deadlock: the parent and its child each read from a pipe that only the
// other could write to, and each keeps that pipe's write end open, so no
// read can ever return (pipe(7): a read from an empty pipe blocks while a
// write end is open).  On Linux both would sleep forever; weft notices
// that every task is blocked with nothing left to wake one, prints its
// deadlock report naming both tasks and what each waits for, and exits
// with status 1 (cmd/weft/main.go: kernel.Deadlock).  Everything printed
// before the deadlock is flushed first.  The expectation names the pipes
// as pipe:[#1] and pipe:[#2]: expect_test.go numbers pipe inodes in order
// of appearance, so the report must name the same pipes as the program.
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void) {
	int a[2], b[2], ready[2];
	pipe(a);
	pipe(b);
	pipe(ready);
	// Name the pipes as /proc/PID/fd would (proc(5): "pipe:[inode]").
	struct stat sa, sb;
	fstat(a[0], &sa);
	fstat(b[0], &sb);
	printf("parent: pipe a is pipe:[%lu], pipe b is pipe:[%lu]\n", (unsigned long)sa.st_ino,
	       (unsigned long)sb.st_ino);
	fflush(stdout);
	pid_t pid = fork();
	char c;
	if (pid == 0) {
		printf("child: reading pipe b, which only the parent could write\n");
		fflush(stdout);
		write(ready[1], "r", 1);
		read(b[0], &c, 1);
		printf("child: not reached\n");
		return 0;
	}
	// Wait for the child's line, so that the output order is fixed.
	read(ready[0], &c, 1);
	printf("parent: reading pipe a, which only the child could write\n");
	fflush(stdout);
	read(a[0], &c, 1);
	printf("parent: not reached\n");
	return 0;
}
