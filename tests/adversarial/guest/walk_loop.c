// Kernel work a guest can repeat without retiring instructions: each stat() here walks
// 40 symbolic links of 4000 bytes ("././././..."), about 80,000 path components, and
// the guest does it in a tight loop. --max-insns must still end the run promptly, which
// needs the kernel to charge the walk's steps (vfs.FS.WalkSteps) to the budget.
#include "adv.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void) {
	static char target[4096];
	char name[64];
	close(creat("/tmp/end", 0600));
	for (int i = 39; i >= 0; i--) {
		int k = 0;
		while (k < 3990)
			target[k++] = '.', target[k++] = '/';
		if (i == 39)
			snprintf(target + k, sizeof target - k, "end");
		else
			snprintf(target + k, sizeof target - k, "w%d", i + 1);
		snprintf(name, sizeof name, "/tmp/w%d", i);
		symlink(target, name);
	}
	struct stat st;
	check(stat("/tmp/w0", &st) == 0, "the 40-link path resolves");
	printf("walking it until weft stops the guest\n");
	fflush(stdout);
	for (;;)
		stat("/tmp/w0", &st);
}
