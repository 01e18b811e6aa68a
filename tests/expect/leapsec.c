// adjtimex(2) (glibc's adjtimex is clock_adjtime(CLOCK_REALTIME)) and leap seconds, as
// Linux's NTP code keeps them (kernel/time/ntp.c): the state a booted kernel reports;
// ADJ_STATUS with STA_INS makes the last second of the UTC day repeat (CLOCK_REALTIME
// steps back one second at midnight, adjtimex reports TIME_INS, then TIME_OOP during
// the repeated second, then TIME_WAIT, and the TAI offset grows by one); STA_DEL
// skips the day's last second; clearing STA_PLL resets the state; setting the clock
// clears synchronisation (STA_UNSYNC: TIME_ERROR); ADJ_SETOFFSET moves the clock;
// ADJ_NANO reports nanoseconds; only CAP_SYS_TIME may change anything (EPERM).
// weft's virtual clock runs at a fixed rate: the modes that would slew it
// (ADJ_FREQUENCY, ADJ_OFFSET, ADJ_TICK) fail with EOPNOTSUPP, which Linux never
// returns for CLOCK_REALTIME.
// QEMU cannot be the oracle: the host's clock is not ours to set.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CLOCK_TAI
#define CLOCK_TAI 11
#endif

static const char *states[] = {"TIME_OK", "TIME_INS", "TIME_DEL", "TIME_OOP", "TIME_WAIT", "TIME_ERROR"};

static const char *state(int r) { return r >= 0 && r <= 5 ? states[r] : "?"; }

static int adj(unsigned modes, int status)
{
	struct timex tx = {.modes = modes, .status = status};
	return adjtimex(&tx);
}

// hms prints CLOCK_REALTIME's time of day, with the TAI offset.
static void show(const char *what)
{
	struct timex tx = {0};
	int r = adjtimex(&tx);
	struct timespec rt, tai;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_TAI, &tai);
	long s = rt.tv_sec % 86400;
	printf("%-22s %02ld:%02ld:%02ld.%03ld %-10s tai %d (CLOCK_TAI - CLOCK_REALTIME %ld s)\n", what, s / 3600,
	       s / 60 % 60, s % 60, rt.tv_nsec / 1000000, state(r), tx.tai, (long)(tai.tv_sec - rt.tv_sec));
}

static void nap(long ms)
{
	struct timespec d = {ms / 1000, ms % 1000 * 1000000};
	clock_nanosleep(CLOCK_MONOTONIC, 0, &d, NULL);
}

// set_clock sets CLOCK_REALTIME to sec_of_day of the next day, and then tells the
// kernel the clock is synchronised (a small maxerror), so that adjtimex reports the
// leap-second state rather than TIME_ERROR.
static void set_clock(long sec_of_day)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	now.tv_sec = now.tv_sec - now.tv_sec % 86400 + 86400 + sec_of_day;
	now.tv_nsec = 0;
	clock_settime(CLOCK_REALTIME, &now);
	struct timex tx = {.modes = ADJ_MAXERROR, .maxerror = 1000};
	adjtimex(&tx);
}

int main(void)
{
	struct timex tx = {0};
	int r = adjtimex(&tx);
	printf("boot: %s status 0x%x maxerror %ld esterror %ld constant %ld precision %ld tolerance %ld tick %ld tai %d\n",
	       state(r), tx.status, tx.maxerror, tx.esterror, tx.constant, tx.precision, tx.tolerance, tx.tick, tx.tai);

	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	clock_settime(CLOCK_REALTIME, &now);
	printf("after settime: %s\n", state(adj(0, 0)));
	set_clock(86400 - 3);
	printf("STA_PLL: %s\n", state(adj(ADJ_STATUS, STA_PLL)));
	printf("clear STA_PLL: %s\n", state(adj(ADJ_STATUS, 0)));
	printf("STA_INS: %s\n", state(adj(ADJ_STATUS, STA_INS)));
	tx = (struct timex){.modes = ADJ_MAXERROR | ADJ_ESTERROR, .maxerror = 1000, .esterror = 10};
	r = adjtimex(&tx);
	printf("maxerror 1000: %s maxerror %ld esterror %ld\n", state(r), tx.maxerror, tx.esterror);
	show("start");
	for (int i = 0; i < 10; i++) {
		nap(500);
		show("+0.5 s");
	}
	tx = (struct timex){0};
	adjtimex(&tx);
	printf("maxerror after 5 s: %ld, status 0x%x\n", tx.maxerror, tx.status);
	printf("clear STA_INS: %s\n", state(adj(ADJ_STATUS, 0)));
	nap(1000);
	show("a second later");

	set_clock(86400 - 3);
	adj(ADJ_STATUS, STA_PLL);
	adj(ADJ_STATUS, 0);
	printf("STA_DEL: %s\n", state(adj(ADJ_STATUS, STA_DEL)));
	show("start");
	for (int i = 0; i < 8; i++) {
		nap(500);
		show("+0.5 s");
	}
	adj(ADJ_STATUS, 0);
	nap(1000);
	show("STA_DEL cleared");

	// Losing synchronisation (maxerror past its limit) does not stop a leap.
	set_clock(86400 - 2);
	adj(ADJ_STATUS, STA_INS);
	tx = (struct timex){.modes = ADJ_MAXERROR, .maxerror = 16000000 - 600};
	adjtimex(&tx);
	nap(1000);
	show("unsynchronised");
	nap(1000);
	show("past midnight");
	adj(ADJ_STATUS, 0);
	nap(2000);

	// STA_INS, then cleared before midnight: no leap.
	set_clock(86400 - 2);
	adj(ADJ_STATUS, STA_INS);
	nap(1000);
	show("STA_INS armed");
	adj(ADJ_STATUS, 0);
	nap(1500);
	show("cleared, past midnight");

	// ADJ_SETOFFSET and ADJ_NANO.
	set_clock(3600);
	tx = (struct timex){.modes = ADJ_SETOFFSET | ADJ_NANO, .time = {.tv_sec = 2, .tv_usec = 250000000}};
	r = adjtimex(&tx);
	printf("ADJ_SETOFFSET +2.25 s: %s, status has STA_NANO %d, time.tv_usec %s 1e6\n", state(r),
	       !!(tx.status & STA_NANO), tx.time.tv_usec >= 1000000 ? ">=" : "<");
	show("after");
	tx = (struct timex){.modes = ADJ_SETOFFSET | ADJ_MICRO, .time = {.tv_sec = -1, .tv_usec = 500000}};
	r = adjtimex(&tx);
	printf("ADJ_SETOFFSET -0.5 s (micro): %s, STA_NANO %d\n", state(r), !!(tx.status & STA_NANO));
	show("after");
	tx = (struct timex){.modes = ADJ_TAI, .constant = 37};
	adjtimex(&tx);
	tx = (struct timex){.modes = ADJ_TIMECONST, .constant = 3};
	adjtimex(&tx);
	printf("ADJ_TAI 37: tai %d; ADJ_TIMECONST 3 (micro): constant %ld\n", tx.tai, tx.constant);
	show("with TAI 37");

	struct {
		const char *what;
		struct timex tx;
	} bad[] = {
		{"ADJ_TICK 8999", {.modes = ADJ_TICK, .tick = 8999}},
		{"ADJ_SETOFFSET usec 1e6", {.modes = ADJ_SETOFFSET, .time = {0, 1000000}}},
		{"ADJ_SETOFFSET usec -1", {.modes = ADJ_SETOFFSET, .time = {0, -1}}},
		{"ADJ_SETOFFSET -3e9 s", {.modes = ADJ_SETOFFSET, .time = {-3000000000L, 0}}},
		{"ADJ_FREQUENCY (weft)", {.modes = ADJ_FREQUENCY, .freq = 100}},
		{"ADJ_OFFSET (weft)", {.modes = ADJ_OFFSET, .offset = 100}},
	};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		errno = 0;
		r = adjtimex(&bad[i].tx);
		printf("%-24s -> %d %s\n", bad[i].what, r, r < 0 ? strerrorname_np(errno) : "");
	}
	tx = (struct timex){.modes = ADJ_OFFSET_SS_READ};
	r = adjtimex(&tx);
	printf("ADJ_OFFSET_SS_READ -> %s offset %ld\n", state(r), tx.offset);
	errno = 0;
	r = clock_adjtime(CLOCK_MONOTONIC, &tx);
	printf("clock_adjtime(CLOCK_MONOTONIC) -> %d %s\n", r, r < 0 ? strerrorname_np(errno) : "");
	errno = 0;
	r = clock_adjtime(100, &tx);
	printf("clock_adjtime(100) -> %d %s\n", r, r < 0 ? strerrorname_np(errno) : "");
	errno = 0;
	struct timex *volatile null = NULL;
	r = clock_adjtime(CLOCK_REALTIME, null);
	printf("clock_adjtime(NULL) -> %d %s\n", r, r < 0 ? strerrorname_np(errno) : "");

	fflush(stdout);
	if (fork() == 0) {
		setuid(65534);
		errno = 0;
		r = adj(ADJ_STATUS, 0);
		printf("unprivileged ADJ_STATUS -> %d %s\n", r, r < 0 ? strerrorname_np(errno) : "");
		r = adj(0, 0);
		printf("unprivileged read -> %s\n", state(r));
		tx = (struct timex){.modes = ADJ_OFFSET_SS_READ};
		r = adjtimex(&tx);
		printf("unprivileged ADJ_OFFSET_SS_READ -> %s\n", state(r));
		_exit(0);
	}
	wait(NULL);
	return 0;
}
