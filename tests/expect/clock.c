// The virtual clock (README, "The virtual clock"): CLOCK_REALTIME starts at
// 2026-01-01 00:00:00 UTC, or at --clock-start; sleep(1) advances it by a second of
// virtual time; CLOCK_MONOTONIC starts near 0 and moves with it.
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(void) {
	struct timespec rt, mono;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	char buf[64];
	time_t now = rt.tv_sec;
	strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", gmtime(&now));
	printf("realtime at start: %s UTC\n", buf);
	printf("monotonic at start below 1 s: %d\n", mono.tv_sec == 0);
	sleep(1);
	struct timespec rt2;
	clock_gettime(CLOCK_REALTIME, &rt2);
	printf("sleep(1) advanced realtime by %ld s\n", (long)(rt2.tv_sec - rt.tv_sec));
	return 0;
}
