// An ext4 file system on a loop device, as root (ext4_mount.root): the program lays out
// a 1 MiB ext4 image itself (one block group, 1 KiB blocks, 128 inodes of 256 bytes,
// extents, 64-bit descriptors, flex_bg, metadata checksums, no journal; an empty root
// directory in one extent), binds it to a loop device and mounts it.
//
// Rules checked (mount(2), ext4 as Linux's fs/ext4 does it): the image does not mount
// as ext2 or ext3 (EINVAL: their feature sets lack extents); statfs(2) gives
// EXT4_SUPER_MAGIC, f_blocks without the metadata, f_bavail without the 2% ext4 holds
// back under extents (ext4_calculate_resv_clusters); /proc/self/mounts shows ext4 with
// no options beyond the defaults; a sparse file of six 1-block extents needs a tree of
// depth 1 (one leaf block: st_blocks 14 once written back); timestamps keep their
// nanoseconds, and one past 2038 its seconds (the extra epoch bits). With blocks
// smaller than a page, a file grown by ftruncate past a partial page of a shared
// mapping, on a full file system, cannot fill that page's blocks through the mapping:
// reading there gives zeros, the write is a bus error (SIGBUS, the fix LTP's mmap16
// checks). After umount, the
// device holds what Linux writes: the superblock, descriptor, bitmaps, inodes,
// directory block and extent leaf with their crc32c checksums right, the inode's
// extent tree of depth 1 with six extents, i_extra_isize 32, and the extra time words.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

#define TRY(what, call) do { errno = 0; long r_ = (call); \
	printf("%-40s = %ld %s\n", what, r_, r_ < 0 ? ename(errno) : ""); } while (0)

enum { BS = 1024, BLOCKS = 1024, IPG = 128, ISIZE = 256, ITB = IPG * ISIZE / BS };
enum { BBITMAP = 3, IBITMAP = 4, ITABLE = 5, ROOTDIR = ITABLE + ITB, USED = ROOTDIR };

static unsigned char img[BLOCKS * BS];

static void put16(unsigned char *p, unsigned v) { p[0] = v; p[1] = v >> 8; }
static void put32(unsigned char *p, unsigned v) { put16(p, v); put16(p + 2, v >> 16); }
static unsigned get16(const unsigned char *p) { return p[0] | p[1] << 8; }
static unsigned get32(const unsigned char *p) { return get16(p) | get16(p + 2) << 16; }

// crc32c as ext4 uses it (crc32c_le): the register in and out as it is.
static uint32_t crc32c(uint32_t crc, const void *p, size_t n)
{
	const unsigned char *b = p;
	while (n--) {
		crc ^= *b++;
		for (int k = 0; k < 8; k++)
			crc = crc & 1 ? (crc >> 1) ^ 0x82f63b78 : crc >> 1;
	}
	return crc;
}

static uint32_t crc32c_u32(uint32_t crc, uint32_t v)
{
	unsigned char b[4];
	put32(b, v);
	return crc32c(crc, b, 4);
}

static uint32_t seed; // crc32c(~0, s_uuid)

static uint32_t inode_csum(unsigned ino, const unsigned char *raw)
{
	unsigned char c[ISIZE];
	memcpy(c, raw, ISIZE);
	put16(c + 0x7c, 0); // l_i_checksum_lo
	put16(c + 0x82, 0); // i_checksum_hi
	return crc32c(crc32c_u32(crc32c_u32(seed, ino), get32(raw + 100)), c, ISIZE);
}

static uint32_t gd_csum(const unsigned char *gd)
{
	unsigned char c[64];
	memcpy(c, gd, 64);
	put16(c + 30, 0);
	return crc32c(crc32c_u32(seed, 0), c, 64) & 0xffff;
}

static unsigned char *inode(unsigned ino) { return img + ITABLE * BS + (ino - 1) * ISIZE; }

// The layout: block 1 the superblock, 2 the descriptor, 3 the block bitmap, 4 the
// inode bitmap, 5..36 the inode table, 37 the root directory.
static void format(void)
{
	unsigned char *sb = img + 1024;
	put32(sb + 0, IPG);                     // s_inodes_count
	put32(sb + 4, BLOCKS);                  // s_blocks_count
	put32(sb + 12, BLOCKS - 1 - USED);      // s_free_blocks_count
	put32(sb + 16, IPG - 10);               // s_free_inodes_count
	put32(sb + 20, 1);                      // s_first_data_block
	put32(sb + 32, 8192);                   // s_blocks_per_group
	put32(sb + 36, 8192);                   // s_clusters_per_group
	put32(sb + 40, IPG);                    // s_inodes_per_group
	put16(sb + 54, 0xffff);                 // s_max_mnt_count: no check due
	put16(sb + 56, 0xef53);                 // s_magic
	put16(sb + 58, 1);                      // s_state: clean
	put16(sb + 60, 1);                      // s_errors: continue
	put32(sb + 76, 1);                      // s_rev_level: dynamic
	put32(sb + 84, 11);                     // s_first_ino
	put16(sb + 88, ISIZE);                  // s_inode_size
	put32(sb + 96, 0x2c2);                  // incompat: filetype, extents, 64bit, flex_bg
	put32(sb + 100, 0x46b);                 // ro_compat: sparse_super, large_file,
	                                        // huge_file, dir_nlink, extra_isize, metadata_csum
	memcpy(sb + 104, "weft-ext4-test!!", 16); // s_uuid
	put16(sb + 0xfe, 64);                   // s_desc_size
	put16(sb + 0x15c, 32);                  // s_min_extra_isize
	put16(sb + 0x15e, 32);                  // s_want_extra_isize
	sb[0x174] = 4;                          // s_log_groups_per_flex
	sb[0x175] = 1;                          // s_checksum_type: crc32c
	seed = crc32c(~0u, sb + 104, 16);

	unsigned char *bb = img + BBITMAP * BS, *ib = img + IBITMAP * BS;
	for (int i = 0; i < 8192; i++) {
		if (i < USED || i >= BLOCKS - 1) // blocks 1..37; past the end: padding
			bb[i / 8] |= 1 << (i % 8);
		if (i < 10 || i >= IPG)
			ib[i / 8] |= 1 << (i % 8);
	}
	unsigned char *gd = img + 2 * BS;
	put32(gd + 0, BBITMAP);
	put32(gd + 4, IBITMAP);
	put32(gd + 8, ITABLE);
	put16(gd + 12, BLOCKS - 1 - USED);
	put16(gd + 14, IPG - 10);
	put16(gd + 16, 1);                      // directories
	put16(gd + 18, 4);                      // bg_flags: ITABLE_ZEROED
	put16(gd + 28, IPG - 10);               // bg_itable_unused
	uint32_t bsum = crc32c(seed, bb, 8192 / 8), isum = crc32c(seed, ib, IPG / 8);
	put16(gd + 24, bsum); put16(gd + 56, bsum >> 16);
	put16(gd + 26, isum); put16(gd + 58, isum >> 16);
	put16(gd + 30, gd_csum(gd));

	unsigned char *ri = inode(2);
	put16(ri + 0, 040755);
	put32(ri + 4, BS);
	put16(ri + 26, 2);
	put32(ri + 28, BS / 512);
	put32(ri + 32, 0x80000);                // EXT4_EXTENTS_FL
	put16(ri + 40, 0xf30a); put16(ri + 42, 1); put16(ri + 44, 4); put16(ri + 46, 0);
	put32(ri + 52, 0); put16(ri + 56, 1); put16(ri + 58, 0); put32(ri + 60, ROOTDIR);
	put16(ri + 128, 32);                    // i_extra_isize
	uint32_t rsum = inode_csum(2, ri);
	put16(ri + 0x7c, rsum); put16(ri + 0x82, rsum >> 16);

	unsigned char *d = img + ROOTDIR * BS;
	put32(d, 2); put16(d + 4, 12); d[6] = 1; d[7] = 2; d[8] = '.';
	put32(d + 12, 2); put16(d + 16, BS - 24); d[18] = 2; d[19] = 2; d[20] = d[21] = '.';
	unsigned char *tail = d + BS - 12;      // struct ext4_dir_entry_tail
	put16(tail + 4, 12); tail[7] = 0xde;
	put32(tail + 8, crc32c(crc32c_u32(crc32c_u32(seed, 2), 0), d, BS - 12));
	put32(sb + 0x3fc, crc32c(~0u, sb, 0x3fc));
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
	printf("%-14s ino %lu size %ld blocks %ld mtime %ld.%09ld atime %ld.%09ld\n", path,
	       (unsigned long)st.st_ino, (long)st.st_size, (long)st.st_blocks,
	       (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, (long)st.st_atim.tv_sec, st.st_atim.tv_nsec);
}

// sigbus writes through the shared mapping of a file that grew past its partial page
// once the file system is full: a bus error.
static void sigbus(void)
{
	int fd = open("mnt/c", O_CREAT | O_RDWR, 0644);
	char buf[BS];
	memset(buf, 'a', BS);
	write(fd, buf, BS);
	char *addr = mmap(NULL, BS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	addr[0] = 'b';
	TRY("ftruncate c to two pages", ftruncate(fd, 2 * getpagesize()));
	int fill = open("mnt/fill", O_CREAT | O_WRONLY, 0644);
	long r;
	while ((r = write(fill, buf, BS)) == BS)
		;
	printf("fill until %s\n", r < 0 ? ename(errno) : "a short write");
	close(fill);
	pid_t pid = fork();
	if (pid == 0) {
		volatile char *p = addr;
		printf("child reads c[%d] = %d\n", BS, p[BS]); // a hole in the file: zeros
		p[BS] = 'x'; // the page's second block: no room for it
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	if (WIFSIGNALED(status))
		printf("child writing through the mapping: %s\n", sigabbrev_np(WTERMSIG(status)));
	else
		printf("child writing through the mapping: exit %d\n", WEXITSTATUS(status));
	printf("c[0] = %c\n", addr[0]);
	munmap(addr, BS);
	close(fd);
	TRY("unlink fill", unlink("mnt/fill"));
	TRY("unlink c", unlink("mnt/c"));
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0); // in order with weft's notice of the child's fault
	char dir[] = "/tmp/weft-ext4-XXXXXX";
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

	TRY("mount as ext2", mount(dev, "mnt", "ext2", 0, NULL));
	TRY("mount as ext3", mount(dev, "mnt", "ext3", 0, NULL));
	TRY("mount as ext4", mount(dev, "mnt", "ext4", 0, NULL));
	fsinfo("empty");
	char line[256];
	FILE *m = fopen("/proc/self/mounts", "r");
	while (m && fgets(line, sizeof line, m))
		if (strstr(line, " ext4 "))
			printf("mounts: %s", strstr(line, " ext4 ") + 1);
	if (m)
		fclose(m);

	int fd = open("mnt/sparse", O_CREAT | O_WRONLY, 0644);
	for (int i = 0; i < 6; i++)
		pwrite(fd, "0123456789" + i, 1, i * 2 * BS);
	struct timespec ts[2] = {{4102444800, 5}, {1700000000, 123456789}}; // 2100, 2023
	TRY("futimens", futimens(fd, ts));
	TRY("fsync", fsync(fd));
	close(fd);
	show("mnt/sparse");
	sigbus();

	TRY("umount", umount("mnt"));
	unsigned char sb[1024], gd[64], raw[ISIZE], blk[BS];
	pread(lfd, sb, sizeof sb, 1024);
	pread(lfd, gd, sizeof gd, 2 * BS);
	printf("superblock: state %u free inodes %u checksum %s\n", get16(sb + 58), get32(sb + 16),
	       get32(sb + 0x3fc) == crc32c(~0u, sb, 0x3fc) ? "ok" : "bad");
	printf("descriptor: free inodes %u dirs %u checksum %s\n", get16(gd + 14), get16(gd + 16),
	       get16(gd + 30) == gd_csum(gd) ? "ok" : "bad");
	pread(lfd, blk, BS, BBITMAP * BS);
	uint32_t bsum = crc32c(seed, blk, 8192 / 8);
	pread(lfd, blk, BS, IBITMAP * BS);
	uint32_t isum = crc32c(seed, blk, IPG / 8);
	printf("bitmaps: block checksum %s inode checksum %s\n",
	       (get16(gd + 24) | get16(gd + 56) << 16) == bsum ? "ok" : "bad",
	       (get16(gd + 26) | get16(gd + 58) << 16) == isum ? "ok" : "bad");

	pread(lfd, raw, ISIZE, ITABLE * BS + 10 * ISIZE); // inode 11: sparse
	uint32_t sum = inode_csum(11, raw);
	printf("inode 11: mode %o size %u blocks %u flags %#x extra_isize %u checksum %s\n",
	       get16(raw), get32(raw + 4), get32(raw + 28), get32(raw + 32), get16(raw + 128),
	       (get16(raw + 0x7c) | get16(raw + 0x82) << 16) == sum ? "ok" : "bad");
	printf("inode 11: atime %u extra %u, mtime %u extra %u\n", get32(raw + 8), get32(raw + 140),
	       get32(raw + 16), get32(raw + 136));
	printf("inode 11: extent header magic %#x entries %u max %u depth %u\n", get16(raw + 40),
	       get16(raw + 42), get16(raw + 44), get16(raw + 46));
	uint32_t isd = crc32c_u32(crc32c_u32(seed, 11), get32(raw + 100));
	pread(lfd, blk, BS, (off_t)get32(raw + 56) * BS); // the index's leaf
	unsigned n = get16(blk + 2);
	printf("leaf: magic %#x entries %u max %u depth %u checksum %s\n", get16(blk), n, get16(blk + 4),
	       get16(blk + 6), get32(blk + 12 + 12 * get16(blk + 4)) == crc32c(isd, blk, 12 + 12 * get16(blk + 4)) ? "ok" : "bad");
	for (unsigned i = 0; i < n && i < 8; i++)
		printf("  extent: logical %u length %u\n", get32(blk + 12 + 12 * i), get16(blk + 16 + 12 * i));

	pread(lfd, raw, ISIZE, ITABLE * BS + ISIZE); // the root
	sum = inode_csum(2, raw);
	pread(lfd, blk, BS, (off_t)get32(raw + 60) * BS);
	uint32_t rsd = crc32c_u32(crc32c_u32(seed, 2), get32(raw + 100));
	printf("root: links %u checksum %s, directory block tail %#x checksum %s\n", get16(raw + 26),
	       (get16(raw + 0x7c) | get16(raw + 0x82) << 16) == sum ? "ok" : "bad", blk[BS - 5],
	       get32(blk + BS - 4) == crc32c(rsd, blk, BS - 12) ? "ok" : "bad");

	TRY("mount read-only", mount(dev, "mnt", "ext4", MS_RDONLY, NULL));
	show("mnt/sparse");
	fd = open("mnt/sparse", O_RDONLY);
	char c[6];
	for (int i = 0; i < 6; i++)
		pread(fd, c + i, 1, i * 2 * BS);
	close(fd);
	printf("sparse reads %.6s\n", c);
	TRY("umount", umount("mnt"));
	TRY("LOOP_CLR_FD", ioctl(lfd, LOOP_CLR_FD));
	return 0;
}
