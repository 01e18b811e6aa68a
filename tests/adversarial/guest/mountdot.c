// --mount HOST:/tmp/../srv is the clean path /srv: the mount appears there, and /tmp
// gets no literal ".." entry.
#include "adv.h"
#include <dirent.h>
#include <sys/stat.h>

int main(void) {
	struct stat st;
	expect_ok("stat /srv/marker", stat("/srv/marker", &st));
	DIR *d = opendir("/tmp");
	int dotdot = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		dotdot += strcmp(e->d_name, "..") == 0;
	check(dotdot == 1, "/tmp lists \"..\" once (%d)", dotdot);
	return done();
}
