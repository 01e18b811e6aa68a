// Run through qemu-riscv64 this differs in one line: qemu's own nanosleep drops the
// failure to write rem and says EINTR, where Linux's hrtimer_nanosleep (behind both
// calls) gives EFAULT, as qemu's clock_nanosleep does.
// nanosleep(2) and clock_nanosleep(2) interrupted by a signal handler: EINTR with the
// time left in rem, and EFAULT instead when rem cannot be written (Linux's
// nanosleep_copyout); a relative sleep's rem is not written on success.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static void on_alarm(int sig) { (void)sig; }

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

static void sleep_case(const char *what, int nr, struct timespec *rem)
{
	struct itimerval it = {.it_value = {.tv_usec = 100000}};
	setitimer(ITIMER_REAL, &it, NULL);
	struct timespec req = {.tv_sec = 5};
	long r;
	errno = 0;
	if (nr == SYS_nanosleep)
		r = syscall(SYS_nanosleep, &req, rem);
	else
		r = syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &req, rem);
	printf("%-36s = %ld %s", what, r, r < 0 ? ename(errno) : "");
	if (rem && rem != (struct timespec *)8)
		printf(" rem between 4.8 and 5 s: %d", rem->tv_sec == 4 && rem->tv_nsec >= 800000000);
	printf("\n");
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	struct timespec rem;
	sleep_case("nanosleep, rem", SYS_nanosleep, &rem);
	sleep_case("nanosleep, rem unwritable", SYS_nanosleep, (struct timespec *)8);
	sleep_case("nanosleep, rem NULL", SYS_nanosleep, NULL);
	sleep_case("clock_nanosleep, rem", SYS_clock_nanosleep, &rem);
	sleep_case("clock_nanosleep, rem unwritable", SYS_clock_nanosleep, (struct timespec *)8);
	return 0;
}
