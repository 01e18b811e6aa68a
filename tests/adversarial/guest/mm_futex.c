// Futex operations on addresses with no mapping fail with EFAULT (shared futexes), and a
// sleep far past the end of time saturates instead of wrapping the clock.
#include "adv.h"
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(void) {
	unsigned *bad = (unsigned *)0x10;
	unsigned word = 0;
	expect_err("FUTEX_WAKE on an unmapped address", syscall(SYS_futex, bad, FUTEX_WAKE, 1, NULL, NULL, 0), EFAULT);
	expect_err("FUTEX_CMP_REQUEUE from an unmapped address",
		   syscall(SYS_futex, bad, FUTEX_CMP_REQUEUE, 1, 1, &word, 0), EFAULT);
	expect_err("FUTEX_CMP_REQUEUE to an unmapped address",
		   syscall(SYS_futex, &word, FUTEX_CMP_REQUEUE, 1, 1, bad, 0), EFAULT);
	expect_err("FUTEX_CMP_REQUEUE with a changed value",
		   syscall(SYS_futex, &word, FUTEX_CMP_REQUEUE, 1, 1, &word, 1), EAGAIN);

	struct timespec before, after, forever = {1L << 40, 0};
	clock_gettime(CLOCK_REALTIME, &before);
	nanosleep(&forever, NULL);
	clock_gettime(CLOCK_REALTIME, &after);
	check(after.tv_sec > before.tv_sec, "CLOCK_REALTIME after a 2^40 s sleep moved forward (%ld -> %ld)", (long)before.tv_sec,
	      (long)after.tv_sec);
	return done();
}
