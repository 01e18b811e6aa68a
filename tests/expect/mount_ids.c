// Owners on a host mount (README, "Host directories"): by default the mount is
// idmapped, so the host user running weft appears as the guest's user, and the
// guest can use that user's files as its own (here: create a file in a directory of
// mode 0700); with --raw-host-ids the owner is the host's, not the guest's, and
// the guest (--uid 4242) is refused as on Linux (open(2), EACCES).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void) {
	struct stat st;
	stat("/mnt", &st);
	printf("/mnt owned by me: %s, my group: %s\n", st.st_uid == getuid() ? "yes" : "no",
	       st.st_gid == getgid() ? "yes" : "no");
	int fd = open("/mnt/new", O_CREAT | O_WRONLY, 0644);
	printf("create /mnt/new: %s\n", fd >= 0 ? "ok" : strerrorname_np(errno));
	if (fd >= 0) {
		fstat(fd, &st);
		printf("/mnt/new owned by me: %s\n", st.st_uid == getuid() ? "yes" : "no");
		close(fd);
		unlink("/mnt/new");
	}
	return 0;
}
