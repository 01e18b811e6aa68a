// Empty files and symbolic links cost memory too: creating them until the cap is
// reached fails with ENOSPC, and removing them gives the memory back.
#include "adv.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void) {
	char name[64];
	long made = 0;
	int err = 0;
	printf("creating entries until the cap is reached\n"); // stdout's buffer first
	mkdir("/tmp/many", 0700);
	for (; made < 5000000; made++) {
		snprintf(name, sizeof name, "/tmp/many/%ld-with-a-longer-name", made);
		int r = made % 2 ? symlink("/a/target/that/takes/some/room", name) : open(name, O_CREAT | O_WRONLY, 0600);
		if (r >= 0 && made % 2 == 0)
			close(r);
		if (r < 0) {
			err = errno;
			break;
		}
	}
	check(err == ENOSPC, "creating entries past the cap fails with ENOSPC (got %s after %ld)", errname(err), made);
	for (long i = 0; i < made; i++) {
		snprintf(name, sizeof name, "/tmp/many/%ld-with-a-longer-name", i);
		unlink(name);
	}
	int fd = open("/tmp/many/again", O_CREAT | O_WRONLY, 0600);
	expect_ok("creating a file after removing them", fd);
	return done();
}
