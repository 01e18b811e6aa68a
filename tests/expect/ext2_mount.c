// An ext2 file system on a loop device, as root (ext2_mount.root): the program lays out
// a 1 MiB ext2 image itself (one block group, 1 KiB blocks, 128 inodes, an empty root
// directory), binds it to a loop device, mounts it, makes files, unmounts it, reads
// the superblock's counts off the device, and mounts it again read-only.
//
// Rules checked (mount(2), ext2 as Linux's fs/ext2 does it): mounting a character
// device is ENOTBLK, an unknown ext2 option EINVAL, noacl is accepted; statfs(2) gives
// EXT2_SUPER_MAGIC, the block size, f_blocks without the metadata (bsddf), and the free
// blocks and inodes, which each new file, directory and data block use up; st_dev is
// the loop device, st_blksize the block size, the root is inode 2 and new inodes take
// the lowest free numbers (11 on); a file of 12 bytes has one block (st_blocks 2), a
// short symbolic link none; a directory's size is its blocks; the mounted device
// cannot be opened with O_EXCL (EBUSY); /proc/self/mounts lists it; after umount2 the
// superblock on the device has the free counts and the clean state, and a read-only
// mount finds every file again and refuses changes (EROFS).
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

#define TRY(what, call) do { errno = 0; long r_ = (call); \
	printf("%-40s = %ld %s\n", what, r_, r_ < 0 ? ename(errno) : ""); } while (0)

enum { BS = 1024, BLOCKS = 1024, IPG = 128, ITB = IPG * 128 / BS };

static unsigned char img[BLOCKS * BS];

static void put16(unsigned char *p, unsigned v) { p[0] = v; p[1] = v >> 8; }
static void put32(unsigned char *p, unsigned v) { put16(p, v); put16(p + 2, v >> 16); }
static unsigned get16(const unsigned char *p) { return p[0] | p[1] << 8; }
static unsigned get32(const unsigned char *p) { return get16(p) | get16(p + 2) << 16; }

// The layout: block 1 the superblock, 2 the descriptors, 3 the block bitmap, 4 the
// inode bitmap, 5..20 the inode table, 21 the root directory.
static void format(void)
{
	enum { USED = 21, ROOTDIR = 21 };
	unsigned char *sb = img + 1024;
	put32(sb + 0, IPG);                 // s_inodes_count
	put32(sb + 4, BLOCKS);              // s_blocks_count
	put32(sb + 12, BLOCKS - 1 - USED);  // s_free_blocks_count
	put32(sb + 16, IPG - 10);           // s_free_inodes_count
	put32(sb + 20, 1);                  // s_first_data_block
	put32(sb + 32, 8192);               // s_blocks_per_group
	put32(sb + 36, 8192);               // s_frags_per_group
	put32(sb + 40, IPG);                // s_inodes_per_group
	put16(sb + 54, 0xffff);             // s_max_mnt_count: no check due
	put16(sb + 56, 0xef53);             // s_magic
	put16(sb + 58, 1);                  // s_state: clean
	put16(sb + 60, 1);                  // s_errors: continue
	put32(sb + 76, 1);                  // s_rev_level: dynamic
	put32(sb + 84, 11);                 // s_first_ino
	put16(sb + 88, 128);                // s_inode_size
	put32(sb + 96, 2);                  // s_feature_incompat: filetype
	put32(sb + 100, 3);                 // s_feature_ro_compat: sparse_super, large_file
	memcpy(sb + 104, "weft-ext2-test!!", 16); // s_uuid
	unsigned char *gd = img + 2 * BS;
	put32(gd + 0, 3);
	put32(gd + 4, 4);
	put32(gd + 8, 5);
	put16(gd + 12, BLOCKS - 1 - USED);
	put16(gd + 14, IPG - 10);
	put16(gd + 16, 1);
	unsigned char *bb = img + 3 * BS, *ib = img + 4 * BS;
	for (int i = 0; i < 8192; i++) {
		if (i < USED || i >= BLOCKS - 1) // blocks 1..21; past the end: padding
			bb[i / 8] |= 1 << (i % 8);
		if (i < 10 || i >= IPG)
			ib[i / 8] |= 1 << (i % 8);
	}
	unsigned char *ri = img + 5 * BS + 128; // inode 2
	put16(ri + 0, 040755);
	put32(ri + 4, BS);
	put16(ri + 26, 2);
	put32(ri + 28, BS / 512);
	put32(ri + 40, ROOTDIR);
	unsigned char *d = img + ROOTDIR * BS;
	put32(d, 2); put16(d + 4, 12); d[6] = 1; d[7] = 2; d[8] = '.';
	put32(d + 12, 2); put16(d + 16, BS - 12); d[18] = 2; d[19] = 2; d[20] = d[21] = '.';
}

static void fsinfo(const char *what)
{
	struct statfs s;
	if (statfs("mnt", &s) != 0) {
		printf("statfs: %s\n", ename(errno));
		return;
	}
	printf("statfs %-8s type %#lx bsize %ld blocks %lu bfree %lu bavail %lu files %lu ffree %lu namelen %ld\n",
	       what, (long)s.f_type, (long)s.f_bsize, (unsigned long)s.f_blocks, (unsigned long)s.f_bfree,
	       (unsigned long)s.f_bavail, (unsigned long)s.f_files, (unsigned long)s.f_ffree, (long)s.f_namelen);
}

static void show(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0) {
		printf("%-14s %s\n", path, ename(errno));
		return;
	}
	printf("%-14s ino %lu mode %o nlink %lu size %ld blocks %ld blksize %ld dev %u:%u\n", path,
	       (unsigned long)st.st_ino, st.st_mode, (unsigned long)st.st_nlink, (long)st.st_size,
	       (long)st.st_blocks, (long)st.st_blksize, major(st.st_dev), minor(st.st_dev));
}

static int cmp(const void *a, const void *b) { return strcmp(*(char **)a, *(char **)b); }

static void list(const char *path)
{
	DIR *d = opendir(path);
	char *names[64];
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)) && n < 64)
		names[n++] = strdup(e->d_name);
	qsort(names, n, sizeof *names, cmp);
	printf("%s:", path);
	for (int i = 0; i < n; i++)
		printf(" %s", names[i]);
	printf("\n");
	if (d)
		closedir(d);
}

int main(void)
{
	char dir[] = "/tmp/weft-ext2-XXXXXX";
	if (!mkdtemp(dir) || chdir(dir) != 0)
		return 1;
	format();
	int bf = open("img", O_CREAT | O_RDWR, 0600);
	if (write(bf, img, sizeof img) != sizeof img)
		return 1;
	int ctl = open("/dev/loop-control", O_RDWR);
	int no = ioctl(ctl, LOOP_CTL_GET_FREE);
	char dev[32];
	snprintf(dev, sizeof dev, "/dev/loop%d", no);
	int lfd = open(dev, O_RDWR);
	TRY("LOOP_SET_FD", ioctl(lfd, LOOP_SET_FD, bf));
	mkdir("mnt", 0755);

	TRY("mount /dev/zero (a character device)", mount("/dev/zero", "mnt", "ext2", 0, NULL));
	TRY("mount with option bogus", mount(dev, "mnt", "ext2", 0, "bogus"));
	TRY("mount with noacl", mount(dev, "mnt", "ext2", 0, "noacl"));
	fsinfo("empty");
	show("mnt");
	TRY("open device O_EXCL while mounted", open(dev, O_RDWR | O_EXCL));

	int fd = open("mnt/hello", O_CREAT | O_WRONLY, 0644);
	TRY("write hello", write(fd, "hello, ext2\n", 12));
	close(fd);
	TRY("mkdir dir", mkdir("mnt/dir", 0750));
	TRY("symlink link -> hello", symlink("hello", "mnt/link"));
	TRY("link dir/again", link("mnt/hello", "mnt/dir/again"));
	TRY("mkfifo fifo", mkfifo("mnt/fifo", 0600));
	show("mnt/hello");
	show("mnt/dir");
	show("mnt/link");
	show("mnt/fifo");
	fsinfo("files");

	char line[256];
	FILE *m = fopen("/proc/self/mounts", "r");
	while (m && fgets(line, sizeof line, m))
		if (strstr(line, " ext2 "))
			printf("mounts: %s", strstr(line, " ext2 ") + 1);
	if (m)
		fclose(m);

	TRY("umount", umount("mnt"));
	unsigned char sb[1024];
	pread(lfd, sb, sizeof sb, 1024);
	printf("superblock: magic %#x state %u mounts %u free blocks %u free inodes %u\n",
	       get16(sb + 56), get16(sb + 58), get16(sb + 52), get32(sb + 12), get32(sb + 16));

	TRY("mount read-only", mount(dev, "mnt", "ext2", MS_RDONLY, NULL));
	list("mnt");
	list("mnt/dir");
	show("mnt/hello");
	fd = open("mnt/dir/again", O_RDONLY);
	char buf[64] = {0};
	TRY("read dir/again", read(fd, buf, sizeof buf - 1));
	close(fd);
	printf("contents: %s", buf);
	ssize_t n = readlink("mnt/link", buf, sizeof buf);
	printf("link -> %.*s\n", (int)n, buf);
	TRY("create on the read-only mount", open("mnt/new", O_CREAT | O_WRONLY, 0644));
	fsinfo("again");
	TRY("umount", umount("mnt"));
	TRY("LOOP_CLR_FD", ioctl(lfd, LOOP_CLR_FD));
	return 0;
}
