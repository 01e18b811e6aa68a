// clock_settime(2) and settimeofday(2), as root (settime.root) and as a user (settime).
// Never run this under qemu: it would set the host's clock. Expected output written from
// clock_settime(2): only CLOCK_REALTIME can be set (EINVAL for other and unknown
// clocks, and for a nanosecond count out of range or a time before the boot); it needs
// CAP_SYS_TIME (EPERM); CLOCK_MONOTONIC does not move; new files take the new time.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }
#define TRY(what, call) do { errno = 0; long r_ = (call); printf("%-40s = %ld %s\n", what, r_, r_ < 0 ? ename(errno) : ""); } while (0)
int main(void) {
	struct timespec ts = { 2000000000, 5 }, bad = { 1, 2000000000 }, now, mono0, mono1;
	clock_gettime(CLOCK_MONOTONIC, &mono0);
	TRY("clock_settime(MONOTONIC)", clock_settime(CLOCK_MONOTONIC, &ts));
	TRY("clock_settime(REALTIME, bad nsec)", clock_settime(CLOCK_REALTIME, &bad));
	TRY("clock_settime(99)", clock_settime(99, &ts));
	TRY("clock_settime(REALTIME)", clock_settime(CLOCK_REALTIME, &ts));
	clock_gettime(CLOCK_REALTIME, &now);
	printf("realtime now %ld (within 1 s of 2000000000: %d)\n", (long)now.tv_sec, now.tv_sec >= 2000000000 && now.tv_sec - 2000000000 < 1);
	clock_gettime(CLOCK_MONOTONIC, &mono1);
	printf("monotonic kept going: %d\n", mono1.tv_sec - mono0.tv_sec < 5 && mono1.tv_sec >= mono0.tv_sec);
	close(open("/tmp/settime-file", O_CREAT | O_WRONLY, 0644));
	struct stat st; stat("/tmp/settime-file", &st);
	printf("new file mtime near the new time: %d\n", st.st_mtime - 2000000000 < 2 && st.st_mtime >= 2000000000);
	unlink("/tmp/settime-file");
	struct timeval tv = { 1900000000, 0 };
	TRY("settimeofday", settimeofday(&tv, NULL));
	printf("time(NULL) - 1900000000 < 2: %d\n", time(NULL) >= 1900000000 && time(NULL) - 1900000000 < 2);
	struct timespec early = { 0, 0 };
	TRY("clock_settime(before boot)", clock_settime(CLOCK_REALTIME, &early));
	setuid(65534);
	TRY("clock_settime as a user", clock_settime(CLOCK_REALTIME, &ts));
	TRY("settimeofday as a user", settimeofday(&tv, NULL));
	return 0;
}
