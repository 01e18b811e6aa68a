// RLIMIT_CPU (getrlimit(2)): "When the process reaches the soft limit, it is sent a
// SIGXCPU signal ... the signal is sent once a second until the hard limit is reached,
// at which time the process is sent SIGKILL." A spinning process with a soft limit of
// 1 s and a hard limit of 2 s gets SIGXCPU once, after at least 1 s of CPU time, and
// is then killed (exit status 137). weft's CPU time is virtual: the run takes about
// two thousand million instructions.
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static volatile int xcpu;
static void on_xcpu(int sig) { (void)sig; xcpu++; }

static double cputime(void) {
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void) {
	setvbuf(stdout, NULL, _IONBF, 0);
	signal(SIGXCPU, on_xcpu);
	struct rlimit rl = {1, 2};
	setrlimit(RLIMIT_CPU, &rl);
	int seen = 0;
	for (;;) {
		if (xcpu != seen) {
			seen = xcpu;
			printf("SIGXCPU %d after at least 1 s of CPU time: %d\n", seen, cputime() >= 1.0);
		}
	}
}
