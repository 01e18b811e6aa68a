// riscv_hwprobe(2) (Documentation/arch/riscv/hwprobe.rst): the kernel fills in the
// value of each known key; an unknown key comes back as -1 with value 0. NULL and 0
// for the CPU set mean all CPUs; an empty set and unknown flags are EINVAL. weft's
// harts are RV64IMAFDC: base behaviour IMA, extensions F/D and C.
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

struct riscv_hwprobe {
	long long key;
	unsigned long long value;
};

int main(void) {
	struct riscv_hwprobe p[] = {{0, 99}, {3, 99}, {4, 99}, {5, 99}, {7, 99}, {1000, 99}};
	long r = syscall(258, p, 6, 0, NULL, 0);
	printf("all CPUs: %ld\n", r);
	for (int i = 0; i < 6; i++)
		printf("  key %lld value 0x%llx\n", p[i].key, p[i].value);
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	struct riscv_hwprobe q = {4, 0};
	r = syscall(258, &q, 1, sizeof set, &set, 0);
	printf("CPU 0: %ld, IMA_EXT_0 0x%llx\n", r, q.value);
	CPU_ZERO(&set);
	r = syscall(258, &q, 1, sizeof set, &set, 0);
	printf("empty set: %ld %s\n", r, r < 0 ? strerrorname_np(errno) : "");
	r = syscall(258, &q, 1, 0, NULL, 1 << 20);
	printf("unknown flag: %ld %s\n", r, r < 0 ? strerrorname_np(errno) : "");
	r = syscall(258, (void *)16, 1, 0, NULL, 0);
	printf("bad pairs: %ld %s\n", r, r < 0 ? strerrorname_np(errno) : "");
	return 0;
}
