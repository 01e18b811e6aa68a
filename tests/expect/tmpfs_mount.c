// mount(2) and umount2(2) of a tmpfs, as root (tmpfs_mount.root) and as a user
// (tmpfs_mount: only the EPERM checks run).
//
// Man page rules checked: mount(2) needs CAP_SYS_ADMIN (EPERM), and looks the target
// up first (ENOENT); an unknown file system type is ENODEV; a new tmpfs is an empty
// directory with mode 1777 unless mode= says otherwise (tmpfs(5)) that hides what
// was in the mount point until umount2(2); statfs(2) reports TMPFS_MAGIC and
// ST_RDONLY after MS_REMOUNT|MS_RDONLY, when creating, writing, chmod, unlink and
// access(W_OK) fail with EROFS; remounting read-only while a file is open for
// writing is EBUSY; link(2) and rename(2) across the mount's edge are EXDEV; rmdir of
// a mount point, and umount2 of a mount in use (an open file, a working directory)
// are EBUSY; umount2 of a directory that is no mount point is EINVAL, with unknown
// flags EINVAL; MNT_DETACH unmounts a busy mount; /proc/self/mounts lists the mount.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

#define TRY(what, call) do { errno = 0; long r_ = (call); \
	printf("%-44s = %ld %s\n", what, r_, r_ < 0 ? ename(errno) : ""); } while (0)

static void mounts(void)
{
	char line[512];
	FILE *f = fopen("/proc/self/mounts", "r");
	while (f && fgets(line, sizeof line, f))
		if (strstr(line, "/tmp/tm"))
			printf("  mounts: %s", line);
	if (f)
		fclose(f);
}

int main(void)
{
	struct stat st;
	struct statfs sf;
	mkdir("/tmp/tm", 0755);
	close(open("/tmp/tm/under", O_CREAT | O_WRONLY, 0644));
	TRY("mount(nosuch)", mount("none", "/tmp/nosuch", "tmpfs", 0, NULL));
	if (geteuid() != 0) {
		TRY("mount as a user", mount("none", "/tmp/tm", "tmpfs", 0, NULL));
		TRY("umount2 as a user", umount2("/tmp/tm", 0));
		return 0;
	}
	TRY("mount(xfs)", mount("/dev/sda", "/tmp/tm", "xfs", 0, NULL));
	TRY("mount(ext4, no such device)", mount("/dev/sda", "/tmp/tm", "ext4", 0, NULL));
	TRY("mount(bad option)", mount("none", "/tmp/tm", "tmpfs", 0, "colour=blue"));
	TRY("umount2(not mounted)", umount2("/tmp/tm", 0));
	TRY("umount2(bad flags)", umount2("/tmp/tm", 0x100));
	TRY("mount(tmpfs)", mount("src", "/tmp/tm", "tmpfs", 0, NULL));
	stat("/tmp/tm", &st);
	printf("root mode %o, under: %s\n", st.st_mode, access("/tmp/tm/under", F_OK) ? ename(errno) : "visible");
	statfs("/tmp/tm", &sf);
	printf("statfs type %lx, rdonly %d\n", (long)sf.f_type, !!(sf.f_flags & ST_RDONLY));
	mounts();
	int fd = open("/tmp/tm/file", O_CREAT | O_RDWR, 0666);
	printf("write = %zd\n", write(fd, "data", 4));
	TRY("link across", link("/tmp/tm/file", "/tmp/linked"));
	TRY("rename across", rename("/tmp/tm/file", "/tmp/moved"));
	TRY("rmdir(mount point)", rmdir("/tmp/tm"));
	TRY("remount ro with a writer", mount(NULL, "/tmp/tm", "tmpfs", MS_REMOUNT | MS_RDONLY, NULL));
	close(fd);
	TRY("remount ro", mount(NULL, "/tmp/tm", "tmpfs", MS_REMOUNT | MS_RDONLY, NULL));
	statfs("/tmp/tm", &sf);
	printf("statfs rdonly %d\n", !!(sf.f_flags & ST_RDONLY));
	mounts();
	TRY("open(O_WRONLY)", open("/tmp/tm/file", O_WRONLY));
	TRY("open(O_CREAT)", open("/tmp/tm/new", O_CREAT | O_WRONLY, 0644));
	TRY("mkdir", mkdir("/tmp/tm/dir", 0755));
	TRY("chmod", chmod("/tmp/tm/file", 0600));
	TRY("unlink", unlink("/tmp/tm/file"));
	TRY("access(W_OK)", access("/tmp/tm/file", W_OK));
	TRY("access(R_OK)", access("/tmp/tm/file", R_OK));
	TRY("remount rw", mount(NULL, "/tmp/tm", "tmpfs", MS_REMOUNT, NULL));
	TRY("unlink", unlink("/tmp/tm/file"));
	TRY("chdir(mount)", chdir("/tmp/tm"));
	TRY("umount2(cwd inside)", umount2("/tmp/tm", 0));
	TRY("chdir(/)", chdir("/"));
	fd = open("/tmp/tm", O_RDONLY | O_DIRECTORY);
	TRY("umount2(open dir)", umount2("/tmp/tm", 0));
	TRY("umount2(MNT_DETACH)", umount2("/tmp/tm", MNT_DETACH));
	close(fd);
	printf("under: %s\n", access("/tmp/tm/under", F_OK) ? ename(errno) : "visible");
	mounts();
	TRY("mount(mode=700,uid=5)", mount("x", "/tmp/tm", "tmpfs", MS_NOSUID, "mode=700,uid=5,size=1m"));
	stat("/tmp/tm", &st);
	printf("root mode %o uid %d\n", st.st_mode, (int)st.st_uid);
	TRY("umount", umount("/tmp/tm"));
	TRY("umount again", umount("/tmp/tm"));
	return 0;
}
