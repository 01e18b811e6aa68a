// Symbolic link loops end in ELOOP after 40 links, however they nest: a link into
// itself ("l" -> "l/x", which once overflowed weft's Go stack), a chain one longer
// than Linux follows, and loops a host made inside a mount. A chain of exactly 40
// links still resolves.
#include "adv.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static void chain(const char *prefix, int links) {
	char name[64], next[64];
	for (int i = 0; i < links; i++) {
		snprintf(name, sizeof name, "/tmp/%s%d", prefix, i);
		if (i == links - 1)
			snprintf(next, sizeof next, "/tmp/end");
		else
			snprintf(next, sizeof next, "%s%d", prefix, i + 1);
		symlink(next, name);
	}
}

int main(int argc, char **argv) {
	const char *mnt = argc > 1 ? argv[1] : "/mnt";
	char path[256];
	struct stat st;
	expect_ok("symlink(\"l/x\", \"/tmp/l\")", symlink("l/x", "/tmp/l"));
	expect_err("open(\"/tmp/l\")", open("/tmp/l", O_RDONLY), ELOOP);
	expect_err("stat(\"/tmp/l/y/z\")", stat("/tmp/l/y/z", &st), ELOOP);
	expect_err("open(\"/tmp/l\", O_CREAT)", open("/tmp/l", O_CREAT | O_WRONLY, 0600), ELOOP);
	expect_err("chdir(\"/tmp/l\")", chdir("/tmp/l"), ELOOP);
	expect_err("execve(\"/tmp/l\")", execl("/tmp/l", "l", (char *)0), ELOOP);
	close(open("/tmp/end", O_CREAT | O_WRONLY, 0600));
	chain("c", 40);
	expect_ok("open through a chain of 40 links", open("/tmp/c0", O_RDONLY));
	chain("d", 41);
	expect_err("open through a chain of 41 links", open("/tmp/d0", O_RDONLY), ELOOP);
	expect_ok("symlink(\"m/m/m/m\", \"/tmp/m\")", symlink("m/m/m/m", "/tmp/m"));
	expect_err("stat(\"/tmp/m/m/m/m/m/m/m/m\")", stat("/tmp/m/m/m/m/m/m/m/m", &st), ELOOP);
	snprintf(path, sizeof path, "%s/hl", mnt);
	expect_err("open a host-made self loop (hl -> hl/x)", open(path, O_RDONLY), ELOOP);
	snprintf(path, sizeof path, "%s/ha/x", mnt);
	expect_err("stat through a host-made two-link loop (ha -> hb -> ha)", stat(path, &st), ELOOP);
	return done();
}
