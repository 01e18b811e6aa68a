// Helper, not a test (names starting with '_' are not diffed against qemu,
// whose memory layout legitimately differs from weft's).  Prints where the
// stack, heap, program break and mappings are.  The determinism test runs
// it twice under weft: a deterministic kernel must place everything at the
// same addresses every time.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv) {
	int local;
	void *small = malloc(100);
	void *big = malloc(1 << 20);
	void *map = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("stack  %p\n", (void *)&local);
	printf("argv   %p argv[0] %p\n", (void *)argv, (void *)argv[0]);
	printf("heap   %p\n", small);
	printf("big    %p\n", big);
	printf("mmap   %p\n", map);
	printf("brk    %p\n", sbrk(0));
	printf("main   %p\n", (void *)main);
	printf("argc   %d\n", argc);
	return 0;
}
