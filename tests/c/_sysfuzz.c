/* Helper for FuzzSyscalls: reads records of a syscall number and six arguments from
 * standard input and makes each call, so that the fuzzer can throw arbitrary arguments
 * at weft's syscall handlers. Not a differential test. */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(void) {
	static char page[8192];
	uint64_t rec[7];
	for (int i = 0; i < 64 && fread(rec, sizeof rec, 1, stdin) == 1; i++) {
		/* Small arguments stay as they are; others sometimes become a pointer into a
		 * valid buffer, so that handlers get past their EFAULT checks. */
		for (int j = 1; j < 7; j++)
			if (rec[j] >> 56 == 0xAA)
				rec[j] = (uint64_t)(page + (rec[j] & 4095));
		long nr = (long)(rec[0] % 512);
		if (nr == SYS_exit || nr == SYS_exit_group)
			continue;
		syscall(nr, rec[1], rec[2], rec[3], rec[4], rec[5], rec[6]);
	}
	return 0;
}
