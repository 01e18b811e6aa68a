/* For cmd/weft's signal tests: says "ready", then spins. With no argument a SIGINT
   handler says so and exits 3; with "ignore" SIGINT is ignored, so that only weft's
   double Ctrl-C or grace period can end the run. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void on_int(int sig) {
	(void)sig;
	static const char msg[] = "caught SIGINT\n";
	write(1, msg, sizeof msg - 1);
	_exit(3);
}

int main(int argc, char **argv) {
	if (argc > 1 && strcmp(argv[1], "ignore") == 0) {
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
	} else
		signal(SIGINT, on_int);
	write(1, "ready\n", 6);
	volatile unsigned long n = 0;
	for (;;)
		n++;
}
