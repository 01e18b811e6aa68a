// Loop devices (loop(4)), as root (loop.root) and as a user (loop: only the permission
// checks run), in a fresh directory under /tmp.
//
// Man page rules checked: /dev/loop-control and /dev/loopN are a character and block
// devices (major 7 for loop); LOOP_CTL_GET_FREE gives the first free device;
// LOOP_SET_FD binds a file, a second bind is EBUSY; the device reads and writes the
// file; BLKGETSIZE64 is the file's size and LOOP_SET_STATUS64's offset and size limit
// change it; LOOP_GET_STATUS64 returns them, with lo_number and lo_file_name; a bound
// device is not free; LOOP_CLR_FD detaches it (a second one is ENXIO) and the device
// is free again after its last close; LOOP_GET_STATUS64 on a free device is ENXIO; a
// file opened read-only gives a read-only device (LO_FLAGS_READ_ONLY, writes EPERM);
// LOOP_CHANGE_FD refuses a chain of loop devices that comes back to the device and an
// O_PATH descriptor (EBADF); LOOP_CONFIGURE binds with flags and an offset at once;
// LOOP_CTL_ADD and LOOP_CTL_REMOVE add and remove devices (EEXIST, EBUSY).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/loop.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

#define TRY(what, call) do { errno = 0; long r_ = (call); \
	printf("%-46s = %ld %s\n", what, r_, r_ < 0 ? ename(errno) : ""); } while (0)

static void size(int fd)
{
	uint64_t sz = 0;
	long r = ioctl(fd, BLKGETSIZE64, &sz);
	printf("%-46s = %ld size %llu\n", "BLKGETSIZE64", r, (unsigned long long)sz);
}

int main(void)
{
	char dir[] = "/tmp/weft-loop-XXXXXX";
	if (!mkdtemp(dir) || chdir(dir) != 0)
		return 1;
	struct stat sb;
	stat("/dev/loop-control", &sb);
	printf("loop-control chr=%d %u:%u\n", S_ISCHR(sb.st_mode), major(sb.st_rdev), minor(sb.st_rdev));
	stat("/dev/loop0", &sb);
	printf("loop0 blk=%d %u:%u\n", S_ISBLK(sb.st_mode), major(sb.st_rdev), minor(sb.st_rdev));

	// A 64 KiB backing file: page i is filled with the letter 'a' + i.
	int bf = open("backing", O_CREAT | O_RDWR, 0600);
	char page[4096];
	for (int i = 0; i < 16; i++) {
		memset(page, 'a' + i, sizeof page);
		write(bf, page, sizeof page);
	}

	int ctl = open("/dev/loop-control", O_RDWR);
	printf("open loop-control: %s\n", ctl < 0 ? ename(errno) : "ok");
	if (ctl < 0) {
		unlink("backing");
		chdir("/");
		rmdir(dir);
		return 0;
	}
	TRY("LOOP_CTL_GET_FREE", ioctl(ctl, LOOP_CTL_GET_FREE));
	int dev = open("/dev/loop0", O_RDWR);
	TRY("LOOP_GET_STATUS64 (free)", ioctl(dev, LOOP_GET_STATUS64, &(struct loop_info64){0}));
	TRY("LOOP_SET_FD", ioctl(dev, LOOP_SET_FD, bf));
	TRY("LOOP_SET_FD again", ioctl(dev, LOOP_SET_FD, bf));
	TRY("LOOP_CTL_GET_FREE (loop0 bound)", ioctl(ctl, LOOP_CTL_GET_FREE));
	size(dev);
	char buf[8] = "";
	TRY("pread at 8192", pread(dev, buf, 4, 8192));
	printf("  read \"%.4s\"\n", buf);
	TRY("pwrite \"WXYZ\" at 4096", pwrite(dev, "WXYZ", 4, 4096));
	TRY("pread backing at 4096", pread(bf, buf, 4, 4096));
	printf("  backing \"%.4s\"\n", buf);
	TRY("lseek SEEK_END", lseek(dev, 0, SEEK_END));
	TRY("pwrite at end", pwrite(dev, "x", 1, 65536));

	struct loop_info64 li = {0};
	li.lo_offset = 4096 * 2;
	li.lo_sizelimit = 4096 * 4;
	strcpy((char *)li.lo_file_name, "backing-name");
	TRY("LOOP_SET_STATUS64 offset 8192 limit 16384", ioctl(dev, LOOP_SET_STATUS64, &li));
	size(dev);
	TRY("pread at 0", pread(dev, buf, 4, 0));
	printf("  read \"%.4s\"\n", buf);
	memset(&li, 0, sizeof li);
	TRY("LOOP_GET_STATUS64", ioctl(dev, LOOP_GET_STATUS64, &li));
	printf("  number %u offset %llu sizelimit %llu flags %u name \"%s\"\n", li.lo_number,
	       (unsigned long long)li.lo_offset, (unsigned long long)li.lo_sizelimit, li.lo_flags,
	       li.lo_file_name);
	struct loop_info old = {0};
	TRY("LOOP_GET_STATUS", ioctl(dev, LOOP_GET_STATUS, &old));
	printf("  number %d offset %d name \"%s\"\n", old.lo_number, old.lo_offset, old.lo_name);
	int bsz = 0;
	TRY("BLKSSZGET", ioctl(dev, BLKSSZGET, &bsz));
	printf("  %d\n", bsz);

	TRY("LOOP_CLR_FD", ioctl(dev, LOOP_CLR_FD, 0));
	TRY("LOOP_CLR_FD again", ioctl(dev, LOOP_CLR_FD, 0));
	close(dev);
	dev = open("/dev/loop0", O_RDONLY);
	TRY("LOOP_GET_STATUS64 after last close", ioctl(dev, LOOP_GET_STATUS64, &li));
	size(dev);

	// A read-only device: the device opened read-only.
	int ro = open("backing", O_RDONLY);
	TRY("LOOP_SET_FD (read-only)", ioctl(dev, LOOP_SET_FD, ro));
	memset(&li, 0, sizeof li);
	ioctl(dev, LOOP_GET_STATUS64, &li);
	printf("  flags %u\n", li.lo_flags);
	int rw = open("/dev/loop0", O_RDWR);
	TRY("pwrite to read-only device", pwrite(rw, "x", 1, 0));
	close(rw);
	// LOOP_CHANGE_FD follows a chain of loop devices: loop1 over loop0 cannot become
	// loop0's file (EBADF, a loop back), and an O_PATH descriptor is no file (EBADF).
	int l1 = open("/dev/loop1", O_RDWR);
	TRY("LOOP_SET_FD loop1 over loop0", ioctl(l1, LOOP_SET_FD, dev));
	TRY("LOOP_CHANGE_FD loop0 to loop1", ioctl(dev, LOOP_CHANGE_FD, l1));
	int opath = open("backing", O_PATH);
	TRY("LOOP_CHANGE_FD to an O_PATH fd", ioctl(dev, LOOP_CHANGE_FD, opath));
	close(opath);
	TRY("LOOP_CHANGE_FD to the same file", ioctl(dev, LOOP_CHANGE_FD, ro));
	TRY("pread loop1 at 8192", pread(l1, buf, 4, 8192));
	printf("  read \"%.4s\"\n", buf);
	TRY("LOOP_CLR_FD loop1", ioctl(l1, LOOP_CLR_FD, 0));
	close(l1);
	TRY("LOOP_CLR_FD", ioctl(dev, LOOP_CLR_FD, 0));
	close(dev);
	close(ro);

	// LOOP_CONFIGURE: bind with an offset and LO_FLAGS_AUTOCLEAR in one call.
	dev = open("/dev/loop1", O_RDWR);
	struct loop_config cfg = {0};
	cfg.fd = bf;
	cfg.info.lo_offset = 4096 * 15;
	cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR;
	TRY("LOOP_CONFIGURE offset 61440 autoclear", ioctl(dev, LOOP_CONFIGURE, &cfg));
	size(dev);
	TRY("read", read(dev, buf, 4));
	printf("  read \"%.4s\"\n", buf);
	TRY("LOOP_CONFIGURE again", ioctl(dev, LOOP_CONFIGURE, &cfg));
	close(dev);
	int dev2 = open("/dev/loop2", O_RDWR);
	cfg.info.lo_flags = 0x100;
	TRY("LOOP_CONFIGURE unknown flag", ioctl(dev2, LOOP_CONFIGURE, &cfg));
	close(dev2);
	dev = open("/dev/loop1", O_RDONLY);
	TRY("LOOP_GET_STATUS64 after autoclear close", ioctl(dev, LOOP_GET_STATUS64, &li));
	close(dev);

	TRY("LOOP_CTL_ADD 20", ioctl(ctl, LOOP_CTL_ADD, 20));
	TRY("LOOP_CTL_ADD 20 again", ioctl(ctl, LOOP_CTL_ADD, 20));
	printf("loop20 exists: %d\n", stat("/dev/loop20", &sb) == 0);
	dev = open("/dev/loop20", O_RDONLY);
	TRY("LOOP_CTL_REMOVE 20 (open)", ioctl(ctl, LOOP_CTL_REMOVE, 20));
	close(dev);
	TRY("LOOP_CTL_REMOVE 20", ioctl(ctl, LOOP_CTL_REMOVE, 20));
	printf("loop20 exists: %d\n", stat("/dev/loop20", &sb) == 0);

	close(ctl);
	close(bf);
	unlink("backing");
	chdir("/");
	rmdir(dir);
	return 0;
}
