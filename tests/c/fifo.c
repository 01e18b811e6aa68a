// Named pipes (fifo(7)): mkfifo, an open for reading that waits for a writer (and the
// other way round), data through the FIFO between two processes, EOF when the writer
// closes, ENXIO for a non-blocking writer with no reader, and O_NONBLOCK readers that
// do not wait.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *en(long r) { return r >= 0 ? "ok" : strerrorname_np(errno); }

int main(void) {
	setvbuf(stdout, NULL, _IONBF, 0);
	char dir[] = "/tmp/fifoXXXXXX";
	if (!mkdtemp(dir) || chdir(dir) != 0)
		return 1;
	printf("mkfifo: %s\n", en(mkfifo("f", 0600)));
	printf("mkfifo again: %s\n", en(mkfifo("f", 0600)));
	struct stat st;
	stat("f", &st);
	printf("is a FIFO: %d, mode %o\n", S_ISFIFO(st.st_mode), st.st_mode & 0777);
	printf("non-blocking writer with no reader: %s\n", en(open("f", O_WRONLY | O_NONBLOCK)));
	int nr = open("f", O_RDONLY | O_NONBLOCK);
	printf("non-blocking reader: %s\n", en(nr));
	close(nr);
	pid_t c = fork();
	if (c == 0) {
		int w = open("f", O_WRONLY); // waits for the parent's reader
		write(w, "through the fifo", 16);
		close(w);
		_exit(0);
	}
	int r = open("f", O_RDONLY); // waits for the child's writer
	char buf[64] = {0};
	long n, total = 0;
	while ((n = read(r, buf + total, sizeof buf - 1 - total)) > 0)
		total += n;
	printf("read %ld bytes: %s; then EOF %ld\n", total, buf, n);
	waitpid(c, NULL, 0);
	close(r);
	int rw = open("f", O_RDWR);
	printf("O_RDWR does not wait: %s\n", en(rw));
	printf("regular file with mknod: %s\n", en(mknod("g", S_IFREG | 0644, 0)));
	printf("bad type: %s\n", en(mknod("h", 0170000 | 0644, 0)));
	unlink("f");
	unlink("g");
	chdir("/");
	rmdir(dir);
	return 0;
}
